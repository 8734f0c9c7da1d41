// Scores a needle prompt by teacher forcing the value after it: the value's tokens are argmax one
// after another exactly when greedy decoding writes the value, and their probability says how close
// a model came when it does not (a weak model may never write the number, yet rank it higher when the
// needle is within reach). One cache per session, reused over the common prefix of consecutive prompts.

import type { KvCache } from '../model/kv-cache';
import { commonPrefixLength, forwardOnCache } from '../model/generate';
import type { OnnxModel } from '../model/onnx-backend';
import { planAttentionScale, planTables, type RopePlan } from '../model/rope';
import { tokenNll } from '../model/score';

export interface NeedleScore {
  /** Every value token was the argmax: greedy decoding writes the value. */
  correct: boolean;
  /** What greedy decoding writes, token by token, while fed the value (its argmaxes). */
  argmaxTokens: number[];
  /** Mean negative log-likelihood (nats) of the value's tokens. */
  valueNll: number;
  reusedTokens: number;
  ms: number;
}

export class NeedleScorer {
  private session = '';
  private cache: KvCache | undefined;
  private tokens: number[] = [];

  constructor(
    private readonly model: OnnxModel,
    private readonly prefillChunk = 512,
  ) {}

  async score(
    prompt: number[],
    value: number[],
    plan: RopePlan,
    session: string,
  ): Promise<NeedleScore> {
    const t0 = performance.now();
    if (value.length === 0 || prompt.length === 0)
      throw new RangeError('a needle needs a prompt and a value');
    // One live session: a new one (another length or method) starts from an empty cache.
    if (session !== this.session || !this.cache) {
      this.cache = this.model.newCache({ initialCapacity: prompt.length + value.length });
      this.tokens = [];
      this.session = session;
    }
    const cache = this.cache;
    const head = prompt.slice(0, -1);
    const keep = commonPrefixLength(this.tokens, head);
    cache.truncate(keep);
    for (let at = keep; at < head.length; at += this.prefillChunk) {
      await forwardOnCache(
        this.model,
        cache,
        head.slice(at, Math.min(at + this.prefillChunk, head.length)),
        at,
        plan,
      );
    }
    // The last prompt token and the value but its last token, all logits: row i predicts value[i].
    const tail = [prompt[prompt.length - 1] as number, ...value.slice(0, -1)];
    const positions = tail.map((_, i) => head.length + i);
    const t = planTables(plan, positions);
    const out = await this.model.forward({
      ids: tail,
      cosQ: t.cos,
      sinQ: t.sin,
      attentionScale: planAttentionScale(plan, positions, this.model.card.config.n_layers),
      logitsIndices: tail.map((_, i) => i),
      past: cache.length > 0 ? cache.view() : undefined,
    });
    // The tail is not kept: the next prompt shares at most the head.
    this.tokens = head;
    const vocab = this.model.card.config.vocab_size;
    const argmaxTokens: number[] = [];
    let nll = 0;
    for (let i = 0; i < tail.length; i++) {
      let best = 0;
      for (let v = 1; v < vocab; v++)
        if ((out.logits[i * vocab + v] as number) > (out.logits[i * vocab + best] as number))
          best = v;
      argmaxTokens.push(best);
      nll += tokenNll(out.logits, i, vocab, value[i] as number);
    }
    return {
      correct: argmaxTokens.every((tok, i) => tok === value[i]),
      argmaxTokens,
      valueNll: nll / value.length,
      reusedTokens: keep,
      ms: performance.now() - t0,
    };
  }
}
