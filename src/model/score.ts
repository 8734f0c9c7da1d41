// Teacher forcing over a token sequence: each token's log-probability under the model given all
// before it, and whether it was the model's top choice — how a user compares models on their own code.

import type { OnnxModel } from './onnx-backend';
import { forwardOnCache } from './forward-on-cache';
import type { RopePlan } from './rope';

export interface TokenScore {
  id: number;
  /** ln p(token | everything before it). */
  logProb: number;
  /** The model's own first choice there. */
  top1: number;
}

export interface SequenceScore {
  tokens: TokenScore[];
  /** Mean negative log-likelihood, nats per token. */
  meanNll: number;
  /** Share of tokens that were the model's first choice. */
  top1Rate: number;
}

/** Scores ids[1..] given ids[0..i−1], in chunks that each ask for all their logits; undefined when cancelled. */
export async function scoreSequence(
  model: OnnxModel,
  ids: number[],
  plan: RopePlan,
  chunk = 256,
  signal?: AbortSignal,
): Promise<SequenceScore | undefined> {
  const vocab = model.card.config.vocab_size;
  const cache = model.newCache({ initialCapacity: ids.length });
  const tokens: TokenScore[] = [];
  for (let at = 0; at < ids.length - 1; at += chunk) {
    if (signal?.aborted) return undefined;
    const part = ids.slice(at, Math.min(at + chunk, ids.length - 1));
    const logits = await forwardOnCache(model, cache, part, at, plan, true); // [part.length, vocab]
    for (let i = 0; i < part.length; i++)
      tokens.push(scoreRow(logits.subarray(i * vocab, (i + 1) * vocab), ids[at + i + 1] as number));
  }
  const n = Math.max(1, tokens.length);
  return {
    tokens,
    meanNll: -tokens.reduce((a, s) => a + s.logProb, 0) / n,
    top1Rate: tokens.filter((s) => s.top1 === s.id).length / n,
  };
}

/** −log softmax(row)[target], numerically stable: the one log-softmax of scoring, perplexity and needles. */
export function tokenNll(logits: Float32Array, row: number, vocab: number, target: number): number {
  const off = row * vocab;
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[off + v] as number);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp((logits[off + v] as number) - max);
  return Math.log(sum) + max - (logits[off + target] as number);
}

function scoreRow(row: Float32Array, target: number): TokenScore {
  let top1 = 0;
  for (let v = 1; v < row.length; v++) if ((row[v] as number) > (row[top1] as number)) top1 = v;
  return { id: target, logProb: -tokenNll(row, 0, row.length, target), top1 };
}
