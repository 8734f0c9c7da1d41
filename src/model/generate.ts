// Generation over an OnnxModel: chunked prefill that reuses the longest common prefix of the previous
// prompt's cache, then token-by-token decoding with stop rules, cancellation and streaming.

import { headDim } from './model-card';
import type { KvCache } from './kv-cache';
import type { OnnxModel } from './onnx-backend';
import { planAttentionScale, planRope, planTables, type RopeOptions, type RopePlan } from './rope';
import { sampleToken, type SamplingOptions } from './sampling';

export interface GenerateOptions extends SamplingOptions {
  maxTokens?: number;
  /** Stop when the generated text contains one of these (the stop text is not returned). */
  stop?: string[];
  /** Token ids that end generation (the model's <|endoftext|> is always one). */
  stopTokens?: number[];
  maxTimeMs?: number;
  signal?: AbortSignal;
  /** Called with each new piece of text as it is decoded. */
  onText?: (piece: string) => void;
}

export interface GenerateResult {
  text: string;
  tokens: number[];
  stopReason: 'stop-token' | 'stop-text' | 'max-tokens' | 'max-time' | 'cancelled';
  promptTokens: number;
  /** Prompt tokens served from the cache instead of being recomputed. */
  reusedTokens: number;
  prefillMs: number;
  decodeMs: number;
}

export interface Detokenizer {
  decode(ids: number[]): string;
}

export function commonPrefixLength(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export class Generator {
  /** Tokens whose entries the cache holds, and the RoPE plan they were computed under. */
  private cachedTokens: number[] = [];
  private cachedPlanId = '';
  private readonly cache: KvCache;

  constructor(
    private readonly model: OnnxModel,
    private readonly detokenizer: Detokenizer,
    private readonly prefillChunk = 512,
    maxCacheBytes = 512 * 2 ** 20,
  ) {
    this.cache = model.newCache({ maxBytes: maxCacheBytes });
  }

  private plan(method: string, options: RopeOptions): RopePlan {
    const cfg = this.model.card.config;
    return planRope(method, { headDim: headDim(cfg), base: cfg.rope_theta, trainLength: cfg.train_len, nLayers: cfg.n_layers }, options);
  }

  /** Runs `ids` at positions start.. on top of the cache, appends their entries; returns the last logits. */
  private async step(ids: number[], start: number, plan: RopePlan): Promise<Float32Array> {
    const cfg = this.model.card.config;
    const positions = Array.from(ids, (_, i) => start + i);
    const t = planTables(plan, positions);
    const out = await this.model.forward({
      ids, cosQ: t.cos, sinQ: t.sin, attentionScale: planAttentionScale(plan, positions, cfg.n_layers),
      logitsIndices: [ids.length - 1], past: this.cache.length > 0 ? this.cache.view() : undefined,
    });
    this.cache.append(out.newKeys, out.newValues, ids.length);
    return out.logits;
  }

  async generate(prompt: number[], rope: { method: string; options?: RopeOptions }, options: GenerateOptions = {}): Promise<GenerateResult> {
    const maxTokens = options.maxTokens ?? 64;
    const plan = this.plan(rope.method, { ...rope.options, length: prompt.length + maxTokens });
    const eot = this.model.card.specialTokens['<|endoftext|>'] ?? 0;
    const stopTokens = new Set([eot, ...(options.stopTokens ?? [])]);
    const started = performance.now();
    const cancelled = () => options.signal?.aborted === true;

    // Reuse the cache for the longest common prefix, if it was computed with the same angles.
    const reused = this.cachedPlanId === plan.id
      ? Math.min(commonPrefixLength(this.cachedTokens, prompt), prompt.length - 1)
      : 0;
    this.cache.truncate(reused);
    this.cachedTokens = prompt.slice(0, reused);
    this.cachedPlanId = plan.id;
    let logits: Float32Array = new Float32Array(0);
    for (let at = reused; at < prompt.length; at += this.prefillChunk) {
      if (cancelled()) return this.finish('cancelled', [], prompt, reused, started, started);
      const chunk = prompt.slice(at, Math.min(prompt.length, at + this.prefillChunk));
      logits = await this.step(chunk, at, plan);
      this.cachedTokens.push(...chunk);
      if (options.signal) await new Promise((resolve) => setImmediate(resolve));
    }
    const prefillDone = performance.now();

    const tokens: number[] = [];
    let text = '';
    let reason: GenerateResult['stopReason'] = 'max-tokens';
    while (tokens.length < maxTokens) {
      if (cancelled()) {
        reason = 'cancelled';
        break;
      }
      if (options.maxTimeMs !== undefined && performance.now() - started > options.maxTimeMs) {
        reason = 'max-time';
        break;
      }
      const next = sampleToken(logits, options);
      if (stopTokens.has(next)) {
        reason = 'stop-token';
        break;
      }
      tokens.push(next);
      const decoded = this.detokenizer.decode(tokens);
      const hit = firstStop(decoded, options.stop ?? []);
      if (hit >= 0) {
        options.onText?.(decoded.slice(text.length, Math.max(text.length, hit)));
        text = decoded.slice(0, hit);
        reason = 'stop-text';
        break;
      }
      // Hold back an incomplete UTF-8 sequence (shown as U+FFFD) until the next token completes it.
      if (!decoded.endsWith('\uFFFD')) {
        options.onText?.(decoded.slice(text.length));
        text = decoded;
      }
      if (tokens.length >= maxTokens) break;
      logits = await this.step([next], prompt.length + tokens.length - 1, plan);
      this.cachedTokens.push(next);
      // onnxruntime's run blocks its thread: let queued messages (a cancel) in between two steps.
      if (options.signal) await new Promise((resolve) => setImmediate(resolve));
    }
    if (reason !== 'stop-text') text = this.detokenizer.decode(tokens).replace(/\uFFFD$/, '');
    return { ...this.finish(reason, tokens, prompt, reused, started, prefillDone), text };
  }

  private finish(reason: GenerateResult['stopReason'], tokens: number[], prompt: number[], reused: number, started: number, prefillDone: number): GenerateResult {
    const now = performance.now();
    return {
      text: '', tokens, stopReason: reason, promptTokens: prompt.length, reusedTokens: reused,
      prefillMs: prefillDone - started, decodeMs: now - prefillDone,
    };
  }
}

function firstStop(text: string, stops: string[]): number {
  let best = -1;
  for (const s of stops) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}
