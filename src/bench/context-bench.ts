// How fast repository context keeps up with typing: at seeded cursors in a real repository, a line is
// typed again character by character; every keystroke re-indexes the open document incrementally and
// builds the packed prompt, as the editor does. The first prompt at a cursor and the re-index of a file
// from scratch are measured for comparison.

import type { PromptBuilder } from '../completion/prompt-builder';
import type { ContextStrategy } from '../context/proposals';
import type { RepoIndex } from '../context/repo-index';
import { seededRandom } from '../model/sampling';
import { quantile } from './stats';

export interface ContextBenchOptions {
  cursors: number;
  /** Characters typed at each cursor. */
  keystrokes: number;
  budget: number;
  strategy: ContextStrategy;
  seed: number;
}

export interface ContextBenchResult {
  cursors: number;
  keystrokes: number;
  /** Prompt build at a keystroke after the first at its cursor: proposals + packing, ms. */
  warm: { p50: number; p95: number };
  /** The first prompt built at a cursor (chunks not tokenized yet). */
  first: { p50: number; p95: number };
  /** Incremental re-parse and re-index of the edited document, per keystroke. */
  reindexIncremental: { p50: number; p95: number };
  /** Re-parse and re-index of the same file from scratch. */
  reindexFull: { p50: number; p95: number };
  /** Of warm: the proposals and the packing (tokenizing the cursor's file). */
  warmProposals: { p50: number; p95: number };
  warmPack: { p50: number; p95: number };
  meanPromptTokens: number;
  meanChunks: number;
}

const summary = (xs: number[]) => ({ p50: quantile(xs, 0.5), p95: quantile(xs, 0.95) });

export async function contextBench(
  index: RepoIndex, builder: PromptBuilder, fileText: (path: string) => string | undefined, options: ContextBenchOptions,
): Promise<ContextBenchResult> {
  const random = seededRandom(options.seed);
  const paths = [...index.files.keys()].sort();
  const warm: number[] = [];
  const first: number[] = [];
  const warmProposals: number[] = [];
  const warmPack: number[] = [];
  const incremental: number[] = [];
  const full: number[] = [];
  let tokens = 0;
  let chunks = 0;
  let builds = 0;
  let done = 0;
  for (let attempt = 0; done < options.cursors && attempt < options.cursors * 20; attempt++) {
    const path = paths[Math.floor(random() * paths.length)] as string;
    const original = fileText(path);
    if (original === undefined) continue;
    const lines = original.split('\n');
    // A line with something to type, away from the top of the file (imports).
    const candidates = lines.map((l, i) => ({ l, i })).filter(({ l, i }) => i >= 10 && l.trim().length >= options.keystrokes);
    const pick = candidates[Math.floor(random() * candidates.length)];
    if (!pick) continue;
    const lineStart = lines.slice(0, pick.i).join('\n').length + 1;
    const indent = pick.l.length - pick.l.trimStart().length;
    const typed = pick.l.slice(indent);
    // The document as the user has it: the line emptied after its indentation.
    let text = original.slice(0, lineStart + indent) + original.slice(lineStart + pick.l.length);
    const cursor = lineStart + indent;
    await index.openDocument(path, text);
    let t = performance.now();
    await index.update(path, original); // from scratch: the file as on disk
    full.push(performance.now() - t);
    await index.openDocument(path, text);
    for (let k = 0; k <= options.keystrokes; k++) {
      if (k > 0) {
        const at = cursor + k - 1;
        const next = text.slice(0, at) + typed[k - 1] + text.slice(at);
        t = performance.now();
        await index.editDocument(path, [{ start: at, end: at, text: typed[k - 1] as string }], next);
        incremental.push(performance.now() - t);
        text = next;
      }
      t = performance.now();
      const built = builder.build({ path, text, offset: cursor + k, budget: options.budget, strategy: options.strategy });
      (k === 0 ? first : warm).push(performance.now() - t);
      if (k > 0) {
        warmProposals.push(built.proposalsMs);
        warmPack.push(built.packMs);
      }
      tokens += built.packed.tokens;
      chunks += built.packed.chunks.length;
      builds++;
    }
    index.closeDocument(path);
    await index.update(path, original);
    done++;
  }
  return {
    cursors: done, keystrokes: options.keystrokes,
    warm: summary(warm), warmProposals: summary(warmProposals), warmPack: summary(warmPack), first: summary(first), reindexIncremental: summary(incremental), reindexFull: summary(full),
    meanPromptTokens: builds ? tokens / builds : 0, meanChunks: builds ? chunks / builds : 0,
  };
}
