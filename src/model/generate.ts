// Generation over an OnnxModel: chunked prefill that reuses the longest common prefix of the previous
// prompt's cache, then token-by-token decoding with stop rules, cancellation and streaming.

import type { KvCache } from './kv-cache';
import type { OnnxModel } from './onnx-backend';
import { planRope, ropeGeometry, type RopeOptions, type RopePlan } from './rope';
import { TokenHealer, firstStop } from './decode-rules';
import { forwardOnCache } from './forward-on-cache';
import { planReuse, type ReusePlan } from './reuse-plan';
import { SessionCaches, type CacheEntry } from './session-caches';
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
  /**
   * Token healing: text the output must begin with (the partial word before the cursor, left out of
   * the prompt so that the model chooses the whole token, e.g. `name` after `self.na`). Returned as part
   * of the text.
   */
  startsWith?: string;
  /** Which cache to use and keep (one per editor document, say); all sessions share a memory bound. */
  session?: string;
}

export interface GenerateResult {
  text: string;
  tokens: number[];
  stopReason: 'stop-token' | 'stop-text' | 'max-tokens' | 'max-time' | 'cancelled';
  promptTokens: number;
  /** Prompt tokens served from the cache instead of being recomputed (kept in place or moved). */
  reusedTokens: number;
  /** Of those, tokens of chunks that moved (copied and re-rotated). */
  movedTokens: number;
  prefillMs: number;
  decodeMs: number;
}

export interface Detokenizer {
  decode(ids: number[]): string;
}

export { forwardOnCache } from './forward-on-cache';
export { commonPrefixLength } from './reuse-plan';

/** Tokens a cache holds beyond the prompt budget: the completion's own. */
const GENERATION_ROOM = 1024;

/**
 * The default bound on all sessions' caches: what the memory check admitted, one cache at the load budget
 * (plus the generated tokens), at least 512 MiB. A fixed 512 MiB refused a 1.5B model's 32k-token cache
 * (0.9 GiB in fp16) that the check allowed.
 */
export function cacheBound(bytesPerToken: number, contextTokens: number): number {
  return Math.max(512 * 2 ** 20, bytesPerToken * (contextTokens + GENERATION_ROOM));
}

export class Generator {
  /** One cache per session (an editor document, say), least recently used evicted past the bound. */
  private readonly sessions: SessionCaches;
  /** The entry of the request being served. */
  private entry!: CacheEntry;

  constructor(
    private readonly model: OnnxModel,
    private readonly detokenizer: Detokenizer,
    private readonly prefillChunk = 512,
    /** Bound on the bytes of all sessions' caches together; default: one cache at the load budget, at least 512 MiB. */
    maxCacheBytes?: number,
    /** Moved chunks shorter than this are recomputed. */
    private readonly minMovedChunk = 32,
  ) {
    maxCacheBytes ??= cacheBound(model.newCache().bytesFor(1), model.contextTokens);
    this.sessions = new SessionCaches(
      () => model.newCache({ maxBytes: maxCacheBytes }),
      maxCacheBytes,
    );
  }

  /** Sessions whose caches are held, least recently used first. */
  cachedSessions(): string[] {
    return this.sessions.keys();
  }

  private get cache(): KvCache {
    return this.entry.cache;
  }

  private plan(method: string, options: RopeOptions): RopePlan {
    const cfg = this.model.card.config;
    return planRope(method, ropeGeometry(cfg), options);
  }

  private step(ids: number[], start: number, plan: RopePlan): Promise<Float32Array> {
    return forwardOnCache(this.model, this.cache, ids, start, plan);
  }

  private healer?: TokenHealer;

  /** Made on first use: most requests never heal, and the vocabulary is decoded once per generator. */
  private healing(): TokenHealer {
    this.healer ??= new TokenHealer(this.model.card.config.vocab_size, (id) =>
      this.detokenizer.decode([id]),
    );
    return this.healer;
  }

  /**
   * @param input the prompt, flat or as chunks (repository context chunks, then the cursor's file):
   *   with chunks, a chunk of the previous prompt that moved is copied from the cache and re-rotated
   *   instead of recomputed (the approximation llama.cpp's --cache-reuse makes).
   */
  async generate(
    input: number[] | number[][],
    rope: { method: string; options?: RopeOptions },
    options: GenerateOptions = {},
  ): Promise<GenerateResult> {
    const segments = isChunked(input) ? input.filter((s) => s.length > 0) : [input];
    const prompt = segments.flat();
    if (prompt.length === 0) throw new RangeError('the prompt is empty');
    const maxTokens = options.maxTokens ?? 64;
    const plan = this.plan(rope.method, { ...rope.options, length: prompt.length + maxTokens });
    const started = performance.now();
    const cancelled = () => options.signal?.aborted === true;

    this.entry = this.sessions.use(options.session ?? '');
    const { reuse, logits: prefilled } = await this.prefill(
      segments,
      plan,
      cancelled,
      options.signal !== undefined,
    );
    if (!prefilled) return this.finish('cancelled', [], prompt, reuse, started, started);
    const prefillDone = performance.now();
    const { tokens, text, reason } = await this.decode(
      prefilled,
      prompt.length,
      plan,
      { maxTokens, started },
      options,
    );
    return { ...this.finish(reason, tokens, prompt, reuse, started, prefillDone), text };
  }

  /**
   * Samples from `logits` on, one forward step per token, until a stop rule fires, streaming the text
   * to options.onText. Apart from generate so that prefill and decoding each read as one step.
   */
  private async decode(
    logits: Float32Array,
    promptLength: number,
    plan: RopePlan,
    { maxTokens, started }: { maxTokens: number; started: number },
    options: GenerateOptions,
  ): Promise<{ tokens: number[]; text: string; reason: GenerateResult['stopReason'] }> {
    const card = this.model.card;
    // A GGUF model names its own end-of-generation ids; Ropewalk's models end on <|endoftext|>.
    const ends = card.stopTokens ?? [card.specialTokens['<|endoftext|>'] ?? 0];
    const stopTokens = new Set([...ends, ...(options.stopTokens ?? [])]);
    const stops = options.stop ?? [];
    const tokens: number[] = [];
    let text = '';
    // What the output must still begin with (token healing); consumed by the first tokens.
    let pending = options.startsWith ?? '';
    let reason: GenerateResult['stopReason'] = 'max-tokens';
    while (tokens.length < maxTokens) {
      if (options.signal?.aborted === true) {
        reason = 'cancelled';
        break;
      }
      if (options.maxTimeMs !== undefined && performance.now() - started > options.maxTimeMs) {
        reason = 'max-time';
        break;
      }
      const next = sampleToken(
        pending ? this.healing().constrain(logits, pending) : logits,
        options,
      );
      if (stopTokens.has(next)) {
        reason = 'stop-token';
        break;
      }
      tokens.push(next);
      if (pending) pending = this.healing().remaining(pending, next);
      const decoded = this.detokenizer.decode(tokens);
      const hit = firstStop(decoded, stops);
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
      logits = await this.step([next], promptLength + tokens.length - 1, plan);
      this.entry.tokens.push(next);
      if (options.signal) await yieldToEventLoop();
    }
    // The tokenizer refuses an empty list (a request cancelled before its first token).
    if (reason !== 'stop-text')
      text = tokens.length ? this.detokenizer.decode(tokens).replace(/\uFFFD$/, '') : '';
    return { tokens, text, reason };
  }

  /**
   * Brings the session's cache to the prompt: what it holds under the same angles is reused (the common
   * prefix in place, moved chunks copied and re-rotated), the rest computed in chunks. Returns the last
   * token's logits, or none when cancelled.
   */
  private async prefill(
    segments: number[][],
    plan: RopePlan,
    cancelled: () => boolean,
    yieldBetween: boolean,
  ): Promise<{ reuse: ReusePlan; logits?: Float32Array }> {
    const entry = this.entry;
    const prompt = segments.flat();
    const reuse = planReuse(
      entry.planId === plan.id ? entry.tokens : [],
      segments,
      this.minMovedChunk,
    );
    // Moved chunks are copied from the entries past the kept prefix, which the new prompt overwrites.
    const source = reuse.steps.some((s) => s.kind === 'copy')
      ? this.cache.clone(reuse.keep)
      : undefined;
    this.cache.truncate(reuse.keep);
    entry.tokens = prompt.slice(0, reuse.keep);
    entry.planId = plan.id;
    let logits: Float32Array = new Float32Array(0);
    for (const step of reuse.steps) {
      if (step.kind === 'copy') {
        this.cache.appendFrom(source as KvCache, step.from - reuse.keep, step.length);
        if (step.at !== step.from)
          this.cache.shiftKeys(
            step.at,
            step.at + step.length,
            step.at - step.from,
            plan.inverseFrequencies,
          );
        entry.tokens.push(...prompt.slice(step.at, step.at + step.length));
        continue;
      }
      for (let i = 0; i < step.tokens.length; i += this.prefillChunk) {
        if (cancelled()) return { reuse };
        const chunk = step.tokens.slice(i, i + this.prefillChunk);
        logits = await this.step(chunk, step.at + i, plan);
        entry.tokens.push(...chunk);
        if (yieldBetween) await yieldToEventLoop();
      }
    }
    return { reuse, logits };
  }

  private finish(
    reason: GenerateResult['stopReason'],
    tokens: number[],
    prompt: number[],
    reuse: ReusePlan,
    started: number,
    prefillDone: number,
  ): GenerateResult {
    const now = performance.now();
    return {
      text: '',
      tokens,
      stopReason: reason,
      promptTokens: prompt.length,
      reusedTokens: reuse.reused,
      movedTokens: reuse.moved,
      prefillMs: prefillDone - started,
      decodeMs: now - prefillDone,
    };
  }
}

/** onnxruntime's run blocks its thread: between two runs, let queued messages (a cancel) in. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isChunked(input: number[] | number[][]): input is number[][] {
  return input.length > 0 && Array.isArray(input[0]);
}
