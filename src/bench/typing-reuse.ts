// What the fill-in-the-middle order costs the KV cache while typing: at seeded cursors a line is typed
// again key by key, as context-bench does, and each keystroke's prompt is compared with the previous
// one. With SPM the text being typed ends the prompt, so only its last tokens change; with PSM the
// suffix follows the prefix and is computed again at every keystroke. Counted in tokens for any model,
// and in prefill milliseconds when a model runs the prompts.

import type { PromptBuilder } from '../completion/prompt-builder';
import type { ContextStrategy } from '../context/proposals';
import type { RepoIndex } from '../context/repo-index';
import { seededRandom } from '../model/sampling';
import type { FimOrder } from '../packing/templates';
import { typingSite, type TypingSite } from './context-bench';
import { quantile } from './stats';

export interface TypingReuseOptions {
  cursors: number;
  /** Characters typed at each cursor (the first prompt at a cursor is not counted). */
  keystrokes: number;
  budget: number;
  strategy: ContextStrategy;
  seed: number;
}

/**
 * Runs a prompt (its segments) on the model's cache `session`: what prefill reused and took. A server
 * counts the prompt itself (`promptTokens`, with its own layout); the local engine's count is ours.
 */
export type Prefill = (
  segments: number[][],
  session: string,
) => Promise<{ prefillMs: number; reusedTokens: number; promptTokens?: number }>;

export interface Spread {
  mean: number;
  p50: number;
  p95: number;
}

export interface TypingReuseRow {
  order: FimOrder;
  keystrokes: number;
  promptTokens: number;
  /** Tokens past the longest common prefix with the previous keystroke's prompt: what must be computed. */
  recomputed: Spread;
  /** With a model: the tokens its prefill computed (moved chunks count as reused) and its time. */
  engineComputed?: Spread;
  /** With a model: the share of each prompt its cache served. */
  engineReused?: Spread;
  prefillMs?: Spread;
}

const spread = (xs: number[]): Spread => ({
  mean: xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1),
  p50: quantile(xs, 0.5),
  p95: quantile(xs, 0.95),
});

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** One order's keystrokes at one site, the index's open document typed along as the editor does. */
async function typeSite(
  index: RepoIndex,
  builder: PromptBuilder,
  path: string,
  original: string,
  site: TypingSite,
  options: TypingReuseOptions,
  prefill: Prefill | undefined,
  session: string,
  samples: {
    recomputed: number[];
    engine: number[];
    reused: number[];
    ms: number[];
    tokens: number[];
  },
): Promise<void> {
  await index.openDocument(path, site.text);
  let text = site.text;
  let previous: number[] = [];
  for (let k = 0; k <= options.keystrokes; k++) {
    if (k > 0) {
      const at = site.cursor + k - 1;
      const ch = site.typed[k - 1] as string;
      text = text.slice(0, at) + ch + text.slice(at);
      await index.editDocument(path, [{ start: at, end: at, text: ch }], text);
    }
    const { packed } = builder.build({
      path,
      text,
      offset: site.cursor + k,
      budget: options.budget,
      strategy: options.strategy,
    });
    const flat = packed.segments.flat();
    const run = prefill ? await prefill(packed.segments, session) : undefined;
    if (k > 0) {
      samples.recomputed.push(flat.length - commonPrefix(previous, flat));
      samples.tokens.push(flat.length);
      if (run) {
        const total = run.promptTokens ?? flat.length;
        samples.engine.push(total - run.reusedTokens);
        samples.reused.push(total > 0 ? run.reusedTokens / total : 0);
        samples.ms.push(run.prefillMs);
      }
    }
    previous = flat;
  }
  index.closeDocument(path);
  await index.update(path, original);
}

/**
 * Types the same seeded lines once per order (`builders`: one PromptBuilder per order, over the same
 * index and tokenizer) and reports, per order, the tokens each keystroke leaves to compute.
 */
export async function typingReuse(
  index: RepoIndex,
  builders: ReadonlyMap<FimOrder, PromptBuilder>,
  fileText: (path: string) => string | undefined,
  options: TypingReuseOptions,
  prefill?: Prefill,
): Promise<TypingReuseRow[]> {
  const random = seededRandom(options.seed);
  const paths = [...index.files.keys()].sort();
  const sites: { path: string; original: string; site: TypingSite }[] = [];
  for (
    let attempt = 0;
    sites.length < options.cursors && attempt < options.cursors * 20;
    attempt++
  ) {
    const path = paths[Math.floor(random() * paths.length)] as string;
    const original = fileText(path);
    if (original === undefined) continue;
    const site = typingSite(original, random, options.keystrokes);
    if (site) sites.push({ path, original, site });
  }
  const rows: TypingReuseRow[] = [];
  for (const [order, builder] of builders) {
    const samples = { recomputed: [], engine: [], reused: [], ms: [], tokens: [] } as {
      recomputed: number[];
      engine: number[];
      reused: number[];
      ms: number[];
      tokens: number[];
    };
    for (const s of sites)
      await typeSite(index, builder, s.path, s.original, s.site, options, prefill, order, samples);
    rows.push({
      order,
      keystrokes: samples.recomputed.length,
      promptTokens: spread(samples.tokens).mean,
      recomputed: spread(samples.recomputed),
      ...(prefill
        ? {
            engineComputed: spread(samples.engine),
            engineReused: spread(samples.reused),
            prefillMs: spread(samples.ms),
          }
        : {}),
    });
  }
  return rows;
}
