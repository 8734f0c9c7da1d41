// How much moved-chunk KV reuse changes predictions: for prompts built from a repository's files as
// chunks, drop one early chunk so that the later ones move, then compare the greedy next tokens of a
// run on the reused (moved, re-rotated) cache with a cold run of the same prompt. With `editLast`, the
// last chunk (the cursor's file) also has its last tokens replaced, as typing does: it is then cached
// only in part, and its cached start is copied (see planReuse).

import { type PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import { DEFAULT_REPO_NAME } from '../packing/pack';
import { piecesIds, templateFor, wholeFile } from '../packing/templates';
import { Generator } from '../model/generate';
import type { OnnxModel } from '../model/onnx-backend';

export interface ReuseAgreementRow {
  prompts: number;
  /** Mean tokens per chunk. */
  chunkTokens: number;
  /** Share of prompts whose first greedy token is the same with the moved cache as cold. */
  top1Agreement: number;
  /** Share of all compared greedy tokens (first `tokensCompared` of each prompt) that agree position by position. */
  tokenAgreement: number;
  tokensCompared: number;
  movedTokensMean: number;
  warmPrefillMsMean: number;
  coldPrefillMsMean: number;
}

export interface SourceFile {
  path: string;
  text: string;
}

/** Deterministic prompts: sliding groups of files, each file's head as one chunk, a file's start as the cursor. */
export function buildReusePrompts(
  tok: PromptTokenizer,
  files: SourceFile[],
  count: number,
  chunkTokens: number,
  chunksPerPrompt = 4,
): number[][][] {
  // Each file's head, in the model family's repository format (Ropewalk's: `<|file_sep|>path\ntext`).
  const template = templateFor(tok);
  const chunks = files
    .map((f) => piecesIds(template.chunk(f.path, wholeFile(f.text)), tok).slice(0, chunkTokens + 1))
    .filter((c) => c.length >= 48);
  const head = piecesIds(template.head(DEFAULT_REPO_NAME), tok, true);
  const prompts: number[][][] = [];
  for (let i = 0; prompts.length < count && i + chunksPerPrompt < chunks.length; i++) {
    const group = chunks.slice(i, i + chunksPerPrompt + 1);
    // The opening stays with the first chunk, which is never the one dropped.
    prompts.push([[...head, ...(group[0] as number[])], ...group.slice(1)]);
  }
  return prompts;
}

export async function reuseAgreement(
  model: OnnxModel,
  tok: PromptTokenizer,
  prompts: number[][][],
  compareTokens = 8,
  editLast = 0,
): Promise<ReuseAgreementRow> {
  const none = { method: 'none' };
  let top1 = 0;
  let agree = 0;
  let compared = 0;
  let moved = 0;
  let warmMs = 0;
  let coldMs = 0;
  for (const segments of prompts) {
    // The cursor's chunk keeps the cache honest: it is last, and computed in both runs.
    const warm = new Generator(model, tok);
    await warm.generate(segments, none, { maxTokens: 1 });
    const shorter = [segments[0] as number[], ...segments.slice(2)];
    if (editLast > 0) {
      // The user typed: the cursor chunk's last tokens become the first tokens of the chunk that was dropped.
      const last = shorter[shorter.length - 1] as number[];
      shorter[shorter.length - 1] = [
        ...last.slice(0, last.length - editLast),
        ...(segments[1] as number[]).slice(1, 1 + editLast),
      ];
    }
    const reused = await warm.generate(shorter, none, { maxTokens: compareTokens });
    const cold = await new Generator(model, tok).generate(shorter, none, {
      maxTokens: compareTokens,
    });
    if (reused.tokens[0] === cold.tokens[0]) top1++;
    const n = Math.min(reused.tokens.length, cold.tokens.length);
    // Count agreement up to the first divergence: after it the two continuations see different text.
    let i = 0;
    while (i < n && reused.tokens[i] === cold.tokens[i]) i++;
    agree += i;
    compared += Math.max(n, 1);
    moved += reused.movedTokens;
    warmMs += reused.prefillMs;
    coldMs += cold.prefillMs;
  }
  const k = Math.max(prompts.length, 1);
  return {
    prompts: prompts.length,
    chunkTokens:
      prompts.flat().reduce((a, c) => a + c.length, 0) / Math.max(prompts.flat().length, 1),
    top1Agreement: top1 / k,
    tokenAgreement: agree / Math.max(compared, 1),
    tokensCompared: compareTokens,
    movedTokensMean: moved / k,
    warmPrefillMsMean: warmMs / k,
    coldPrefillMsMean: coldMs / k,
  };
}
