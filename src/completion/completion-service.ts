// One inline completion from request to suggestion, independent of the editor: the result cache first,
// then the adaptive debounce (cancelled by the next keystroke), the packed repository prompt, the
// engine (its KV cache reuses what the previous prompt computed), and post-processing to the
// request's shape. A newer request aborts the older one, so stale requests never reach the engine.

import type { GenerateResult } from '../model/generate';
import type { SyntaxLoader } from '../context/syntax';
import {
  finishCompletion,
  prepareCompletion,
  type CompletionEngine,
  type CompletionSettings,
  type CursorRequest,
} from './complete-once';
import { AdaptiveDebounce, delay } from './debounce';
import { isCancelled } from './errors';
import type { PromptBuilder } from './prompt-builder';
import { ResultCache } from './result-cache';

export type { CompletionEngine, CompletionSettings } from './complete-once';

export interface CompletionRequest extends CursorRequest {
  signal?: AbortSignal;
  /** Skip the debounce (an explicit trigger). */
  immediate?: boolean;
}

export interface CompletionOutcome {
  /** The suggestion, or undefined when there is nothing to show. */
  text: string | undefined;
  source: 'cache' | 'engine' | 'cancelled';
  latencyMs: number;
  promptTokens?: number;
  /** Prompt tokens the engine's KV cache already held. */
  reusedTokens?: number;
  /** A server that does not report its prefix cache's use (reusedTokens is then 0, not measured). */
  cacheUnknown?: boolean;
  provider?: string;
  stopReason?: GenerateResult['stopReason'];
  /** The repository chunks in the prompt, as `type source`. */
  context?: string[];
  /** The RoPE method and factor it ran with and why, e.g. `yarn ×4 (beyond training length)`. */
  rope?: string;
  /** The prompt's token ids as packed (one segment per part), for a log that shows what the model saw. */
  prompt?: number[][];
}

export interface ServiceStats {
  requests: number;
  fromCache: number;
  fromEngine: number;
  cancelled: number;
  lastLatencyMs?: number;
  lastReusedTokens?: number;
  lastPromptTokens?: number;
}

export class CompletionService {
  private readonly cache = new ResultCache();
  private readonly debounce: AdaptiveDebounce;
  private inFlight?: AbortController;
  private warming?: AbortController;
  readonly stats: ServiceStats = { requests: 0, fromCache: 0, fromEngine: 0, cancelled: 0 };

  constructor(
    private readonly deps: {
      builder: () => PromptBuilder;
      engine: CompletionEngine;
      settings: () => CompletionSettings;
      /** Grammars for the parse check of multi-line suggestions. */
      loader?: SyntaxLoader;
      now?: () => number;
    },
    debounceMs = 150,
  ) {
    this.debounce = new AdaptiveDebounce({
      baseMs: debounceMs,
      maxMs: Math.max(600, debounceMs * 3),
    });
  }

  /** The user typed at the cursor (feeds the adaptive debounce). */
  keystroke(): void {
    this.debounce.recordKeystroke((this.deps.now ?? performance.now)());
  }

  /** A file changed under the suggestions: what was cached for it may no longer fit. */
  invalidate(): void {
    this.cache.clear();
  }

  async complete(req: CompletionRequest): Promise<CompletionOutcome> {
    const started = performance.now();
    this.stats.requests++;
    const prefix = req.text.slice(0, req.offset);
    const suffix = req.text.slice(req.offset);
    const hit = this.cache.get(req.path, prefix, suffix);
    if (hit !== undefined) {
      this.stats.fromCache++;
      return this.done({
        text: hit || undefined,
        source: 'cache',
        latencyMs: performance.now() - started,
      });
    }
    // This request supersedes the previous one and any background warm-up.
    this.inFlight?.abort();
    this.warming?.abort();
    const mine = new AbortController();
    this.inFlight = mine;
    const signal = req.signal ? AbortSignal.any([req.signal, mine.signal]) : mine.signal;
    const cancelled = (): CompletionOutcome => {
      this.stats.cancelled++;
      return { text: undefined, source: 'cancelled', latencyMs: performance.now() - started };
    };
    try {
      if (!req.immediate) await delay(this.debounce.delayMs(), signal);
      const settings = this.deps.settings();
      const prepared = prepareCompletion(req, settings, this.deps.builder());
      if (signal.aborted) return cancelled();
      const done = await finishCompletion(
        prepared,
        settings,
        { engine: this.deps.engine, loader: this.deps.loader },
        signal,
      );
      if (!done) return cancelled();
      this.debounce.recordLatency(performance.now() - started);
      const { text, generation: g } = done;
      this.cache.set(req.path, prefix, suffix, text ?? '');
      this.stats.fromEngine++;
      return this.done({
        text,
        source: 'engine',
        latencyMs: performance.now() - started,
        promptTokens: g.promptTokens,
        reusedTokens: g.reusedTokens,
        ...(g.cacheUnknown ? { cacheUnknown: true } : {}),
        provider: g.provider,
        stopReason: g.stopReason,
        context: prepared.built.packed.chunks.map((c) => `${c.type} ${c.source}`),
        rope: `${settings.rope.method} ×${Number(settings.rope.options.factor ?? 1).toFixed(1)} (${settings.rope.source})`,
        prompt: prepared.built.packed.segments,
      });
    } catch (error) {
      if (isCancelled(error) || signal.aborted) return cancelled();
      throw error;
    } finally {
      if (this.inFlight === mine) this.inFlight = undefined;
    }
  }

  /**
   * Computes the KV cache for the prompt at this cursor while the user pauses (llama.vscode's idea),
   * so that the next keystroke computes only the changed tail. Any completion request cancels it.
   */
  async prewarm(
    req: CursorRequest,
  ): Promise<{ promptTokens: number; reusedTokens: number } | undefined> {
    if (this.inFlight) return undefined;
    this.warming?.abort();
    const mine = new AbortController();
    this.warming = mine;
    try {
      const settings = this.deps.settings();
      // Exactly the prompt the next request at this cursor asks for.
      const { built } = prepareCompletion(req, settings, this.deps.builder());
      const r = await this.deps.engine.generate(
        built.packed.segments,
        settings.rope,
        { maxTokens: 0, session: req.path },
        { signal: mine.signal },
      );
      return r.stopReason === 'cancelled'
        ? undefined
        : { promptTokens: r.promptTokens, reusedTokens: r.reusedTokens };
    } catch (error) {
      if (isCancelled(error) || mine.signal.aborted) return undefined;
      throw error;
    } finally {
      if (this.warming === mine) this.warming = undefined;
    }
  }

  private done(o: CompletionOutcome): CompletionOutcome {
    this.stats.lastLatencyMs = o.latencyMs;
    if (o.promptTokens !== undefined) {
      this.stats.lastPromptTokens = o.promptTokens;
      this.stats.lastReusedTokens = o.reusedTokens;
    }
    return o;
  }
}
