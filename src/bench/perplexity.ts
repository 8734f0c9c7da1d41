// Perplexity against context length: the repository's files in dependency order as one token stream,
// windows of each length scored on their last tokens, per RoPE method: what a method does to the
// model's use of far context, with no task in between.

import type { OnnxModel } from '../model/onnx-backend';
import { forwardOnCache } from '../model/generate';
import type { RopePlan } from '../model/rope';
import { tokenNll } from '../model/score';

/**
 * Files ordered so that a file comes after the files it imports (depth-first, paths sorted for a
 * stable order; import cycles are broken where they are met).
 */
export function dependencyOrder(files: { path: string; imports: string[] }[]): string[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const state = new Map<string, 'visiting' | 'done'>();
  const out: string[] = [];
  const visit = (path: string) => {
    if (state.has(path)) return;
    state.set(path, 'visiting');
    for (const dep of [...(byPath.get(path)?.imports ?? [])].sort())
      if (byPath.has(dep)) visit(dep);
    state.set(path, 'done');
    out.push(path);
  };
  for (const p of [...byPath.keys()].sort()) visit(p);
  return out;
}

export interface WindowLoss {
  /** Mean negative log-likelihood (nats) of the scored tokens. */
  nll: number;
  tokens: number;
}

/**
 * Loss of the last `scoreTokens` tokens of `window` given everything before them, under `plan`.
 * The head of the window is prefilled in chunks; the scored tail goes in one call asking for all its logits.
 */
export async function windowLoss(
  model: OnnxModel,
  window: number[],
  plan: RopePlan,
  scoreTokens: number,
  chunk = 512,
  signal?: AbortSignal,
): Promise<WindowLoss | undefined> {
  const n = window.length;
  const scored = Math.min(scoreTokens, n - 1);
  const headEnd = n - scored - 1; // the tail starts with the token that predicts the first scored one
  const cache = model.newCache({ initialCapacity: n });
  for (let at = 0; at < headEnd; at += chunk) {
    if (signal?.aborted) return undefined;
    await forwardOnCache(model, cache, window.slice(at, Math.min(at + chunk, headEnd)), at, plan);
  }
  const tail = window.slice(headEnd, n - 1);
  // [tail.length, vocab]
  const logits = await forwardOnCache(model, cache, tail, headEnd, plan, true);
  const vocab = model.card.config.vocab_size;
  let total = 0;
  for (let i = 0; i < tail.length; i++)
    total += tokenNll(logits, i, vocab, window[headEnd + i + 1] as number);
  return { nll: total / tail.length, tokens: tail.length };
}

/** Start offsets of `count` windows of `length` spread evenly over a stream of `streamLength` tokens. */
export function windowStarts(streamLength: number, length: number, count: number): number[] {
  if (streamLength < length || count < 1) return [];
  const span = streamLength - length;
  return Array.from({ length: count }, (_, k) =>
    count === 1 ? span : Math.floor((k * span) / (count - 1)),
  );
}
