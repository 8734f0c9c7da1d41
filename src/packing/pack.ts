// Packs ranked context chunks and the cursor's file into a fill-in-the-middle prompt within a token
// budget. Chunks keep a stable order from one keystroke to the next so that the KV cache stays valid,
// and the cursor's own file comes last, where the text being typed changes.

import { buildFimPrompt, type FimSpecials, type TokenEncoder } from './fim';

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
  /** Tokenizes a chunk's text (a cache goes here: chunks repeat from one keystroke to the next). */
  encodeChunk?: (text: string) => number[];
  /** Tokenizes the cursor's file (prefix and suffix); see HeadCachedEncoder. */
  fileEncoder?: TokenEncoder;
}

export type PackedChunk<C extends ContextChunk = ContextChunk> = C & { tokens: number };

export interface PackedPrompt<C extends ContextChunk = ContextChunk> {
  /** Prompt as segments: one per chunk, then the cursor's file (the shape generate() reuses chunks by). */
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

export function packPrompt<C extends ContextChunk>(
  tok: TokenEncoder,
  specials: FimSpecials,
  chunks: C[],
  file: { path: string; prefix: string; suffix: string },
  options: PackOptions,
): PackedPrompt<C> {
  const fileBudget = Math.floor(options.budget * (chunks.length ? (options.fileShare ?? 0.5) : 1));
  const fim = buildFimPrompt(options.fileEncoder ?? tok, specials, file, fileBudget);
  let room = options.budget - fim.ids.length;
  const encodeChunk = options.encodeChunk ?? ((t: string) => tok.encode(t));
  const chosen: (PackedChunk<C> & { ids: number[] })[] = [];
  for (const c of [...chunks].sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))) {
    const ids = [specials.fileSep, ...encodeChunk(`${c.source}\n${c.text}\n`)];
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
  const segments = [...ordered.map((c) => c.ids), fim.ids];
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
