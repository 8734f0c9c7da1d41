// Packs ranked context chunks and the cursor's file into a fill-in-the-middle prompt within a token
// budget, in the model family's template. Chunks keep a stable order from one keystroke to the next so
// that the KV cache stays valid, and the cursor's own file comes last, where the text being typed changes.

import { buildFimPrompt, type FimPrompt } from './fim';
import {
  encodePieces,
  fillSlots,
  piecesIds,
  type PromptEncoder,
  type TemplateLayout,
} from './templates/prompt-template';

export interface ContextChunk {
  /** Stable identity (see Proposal.key). */
  key: string;
  source: string;
  text: string;
  score: number;
}

export type ChunkOrder = 'stable' | 'rank' | 'both-ends';

export interface PackOptions {
  budget: number;
  /** Share of the budget the cursor's file may use (prefix and suffix); the rest is for chunks. */
  fileShare?: number;
  order?: ChunkOrder;
  /** Tokens of the previous prompt, to report how much of this one the KV cache already holds. */
  previous?: number[];
  /** Tokenizes chunks (a cache goes here: chunks repeat from one keystroke to the next). */
  chunkEncoder?: PromptEncoder;
  /** Tokenizes the cursor's file (prefix and suffix); see HeadCachedEncoder. */
  fileEncoder?: PromptEncoder;
  /** The repository's name, for templates that open with it (Qwen2.5-Coder's `<|repo_name|>`). */
  repo?: string;
}

export type PackedChunk<C extends ContextChunk = ContextChunk> = C & { tokens: number };

export interface PackedPrompt<C extends ContextChunk = ContextChunk> {
  /**
   * Prompt as segments: the template's opening when it has one, one per chunk, then the cursor's file
   * (the shape generate() reuses chunks by).
   */
  segments: number[][];
  chunks: PackedChunk<C>[];
  tokens: number;
  /** Leading tokens identical to the previous prompt's. */
  reusedTokens: number;
}

/** Best chunks at both ends ("Long-Context LLMs Meet RAG"): d1, d3, d5, …, d4, d2. */
export function bothEnds<T>(ranked: T[]): T[] {
  const front: T[] = [];
  const back: T[] = [];
  ranked.forEach((x, i) => (i % 2 === 0 ? front : back).push(x));
  return [...front, ...back.reverse()];
}

/** The name a repository gets when none is known (llama-server's /infill uses "myproject"). */
export const DEFAULT_REPO_NAME = 'project';

export function packPrompt<C extends ContextChunk>(
  tok: PromptEncoder,
  template: Pick<TemplateLayout, 'head' | 'chunk' | 'file'>,
  chunks: C[],
  file: { path: string; prefix: string; suffix: string },
  options: PackOptions,
): PackedPrompt<C> {
  const opening = encodePieces(template.head(options.repo ?? DEFAULT_REPO_NAME), tok, true);
  const head = fillSlots(opening, { prefix: [], suffix: [] });
  // Whether the first text after the opening is the prompt's first (SentencePiece's leading space).
  const afterHead = opening.atStart;
  const withRepository = chunks.length > 0;
  const fileEncoder = options.fileEncoder ?? tok;
  const fileBudget = Math.max(
    0,
    Math.floor((options.budget - head.length) * (withRepository ? (options.fileShare ?? 0.5) : 1)),
  );
  const buildFile = (atStart: boolean): FimPrompt =>
    buildFimPrompt(fileEncoder, template, file, fileBudget, { withRepository, atStart });
  let fim = buildFile(afterHead && !withRepository);
  let room = options.budget - head.length - fim.ids.length;
  const chunkEncoder = options.chunkEncoder ?? tok;
  const encodeChunk = (c: C, atStart: boolean) =>
    piecesIds(template.chunk(c.source, c.text), chunkEncoder, atStart);
  const chosen: (PackedChunk<C> & { ids: number[] })[] = [];
  for (const c of [...chunks].sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))) {
    const ids = encodeChunk(c, false);
    if (ids.length > room) continue;
    room -= ids.length;
    chosen.push({ ...c, tokens: ids.length, ids });
  }
  const order = options.order ?? 'stable';
  const ordered =
    order === 'rank'
      ? chosen
      : order === 'both-ends'
        ? bothEnds(chosen)
        : [...chosen].sort((a, b) => a.key.localeCompare(b.key));
  if (afterHead && withRepository) {
    const first = ordered[0];
    if (first) {
      // The first file after the opening starts the prompt's text: encoded again with the leading space.
      const ids = encodeChunk(first, true);
      room -= ids.length - first.ids.length;
      ordered[0] = { ...first, tokens: ids.length, ids };
      while (room < 0 && ordered.length > 1) room += (ordered.pop() as { tokens: number }).tokens;
    } else {
      fim = buildFile(true);
    }
  }
  const segments = [...(head.length ? [head] : []), ...ordered.map((c) => c.ids), fim.ids];
  const flat = segments.flat();
  let reused = 0;
  const prev = options.previous ?? [];
  while (reused < prev.length && reused < flat.length && prev[reused] === flat[reused]) reused++;
  return {
    segments,
    chunks: ordered.map(({ ids: _ids, ...c }) => c as unknown as PackedChunk<C>),
    tokens: flat.length,
    reusedTokens: reused,
  };
}
