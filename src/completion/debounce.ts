// How long to wait after a keystroke before asking the model, adapted to how fast the engine
// answers and how the user types; and a cancellable wait.

import { CancelledError } from './errors';

export interface DebounceOptions {
  /** The `ropewalk.debounceMs` setting: the wait for an average engine and typist. */
  baseMs: number;
  /** Bounds of the adapted wait; defaults 0 and 1000. */
  minMs?: number;
  maxMs?: number;
  /** A request answered within this is "fast"; default 250 ms. */
  fastLatencyMs?: number;
  /** A gap between keystrokes longer than this is a pause, not typing; default 1000 ms. */
  pauseMs?: number;
  /** How many recent latencies and keystroke gaps are remembered; default 16. */
  window?: number;
}

export const DEFAULT_DEBOUNCE_MS = 150;

/**
 * The `ropewalk.debounceMs` setting as a number: a finite value clamped to 0–2000, else the
 * default, so that a bad setting degrades instead of throwing.
 */
export function debounceMsFrom(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value)
    ? Math.min(2000, Math.max(0, Math.round(value)))
    : DEFAULT_DEBOUNCE_MS;
}

/**
 * Adaptive debounce. Start from the base and
 * - scale it by how slow the engine has been (median latency / fast latency, between ½ and 2):
 *   a request that a keystroke will cancel costs a slow local engine most, and stale requests
 *   flooding the engine are what users of local completion complain about;
 * - while the user types in a burst, wait a little longer than their usual gap between keys, so
 *   that the request goes out when they pause rather than between two letters;
 * - on the first keystroke after a pause, with a fast engine, halve it: the user is likely waiting.
 * The result is clamped to [minMs, maxMs]. Times are passed in, so tests need no clock.
 */
export class AdaptiveDebounce {
  private readonly latencies: number[] = [];
  private readonly gaps: number[] = [];
  private lastKeyAt: number | undefined;
  private lastGap = Infinity;
  private readonly opts: Required<DebounceOptions>;

  constructor(options: DebounceOptions) {
    this.opts = {
      minMs: 0,
      maxMs: 1000,
      fastLatencyMs: 250,
      pauseMs: 1000,
      window: 16,
      ...options,
    };
    if (this.opts.maxMs < this.opts.minMs) this.opts.maxMs = this.opts.minMs;
  }

  /** A keystroke (document change at the cursor) at time `at` in ms. */
  recordKeystroke(at: number): void {
    if (this.lastKeyAt !== undefined) {
      this.lastGap = Math.max(0, at - this.lastKeyAt);
      if (this.lastGap < this.opts.pauseMs) push(this.gaps, this.lastGap, this.opts.window);
    }
    this.lastKeyAt = at;
  }

  /** How long a finished request took, from sending to the suggestion (ms). */
  recordLatency(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) push(this.latencies, ms, this.opts.window);
  }

  /** The wait before sending a request for the latest keystroke. */
  delayMs(): number {
    const { baseMs, minMs, maxMs, fastLatencyMs, pauseMs } = this.opts;
    const latency = median(this.latencies);
    let delay = baseMs * (latency === undefined ? 1 : clamp(latency / fastLatencyMs, 0.5, 2));
    const gap = median(this.gaps);
    const typing = this.lastGap < pauseMs;
    if (typing && gap !== undefined) delay = Math.max(delay, gap * 1.5);
    else if (!typing && latency !== undefined && latency <= fastLatencyMs) delay /= 2;
    return Math.round(clamp(delay, minMs, maxMs));
  }
}

/**
 * Resolves after `ms`, or rejects with {@link CancelledError} as soon as `signal` fires (at once
 * if it already has). The timer and the listener are removed either way.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError({ cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError({ cause: signal?.reason }));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function push(values: number[], value: number, window: number): void {
  values.push(value);
  if (values.length > window) values.shift();
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? sorted[mid]
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
