// Builds the prompt for a cursor: proposals from the repository index, packed with the cursor's file
// into a fill-in-the-middle prompt. One builder lives as long as its index; it remembers the tokens of
// chunks it has packed (a chunk's text rarely changes between keystrokes) and each document's last
// prompt, so a keystroke re-tokenizes only the cursor's own file.

import { type PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import { proposalsFor, type ContextStrategy, type Proposal } from '../context/proposals';
import type { RepoIndex } from '../context/repo-index';
import { LruMap } from '../lru-map';
import { HeadCachedEncoder } from '../packing/cached-encoder';
import { packPrompt, type ChunkOrder, type PackedPrompt } from '../packing/pack';

export interface PromptRequest {
  /** Repository-relative path, '/'-separated. */
  path: string;
  text: string;
  /** UTF-16 offset of the cursor in text. */
  offset: number;
  budget: number;
  strategy: ContextStrategy;
  order?: ChunkOrder;
  /** Share of the budget for the cursor's file when there are chunks (default 0.5). */
  fileShare?: number;
}

export interface BuiltPrompt {
  packed: PackedPrompt<Proposal>;
  proposals: Proposal[];
  proposalsMs: number;
  packMs: number;
}

export class PromptBuilder {
  private readonly chunkIds: LruMap<string, number[]>;
  private readonly lastPrompt = new LruMap<string, number[]>(64);
  /** The cursor's file changes only near the cursor between keystrokes: the rest keeps its tokens. */
  private readonly fileEncoder: HeadCachedEncoder;

  constructor(
    private readonly index: RepoIndex,
    private readonly tok: PromptTokenizer,
    /** Text of a repository file (an open editor's text first), undefined when unreadable. */
    private readonly fileText: (path: string) => string | undefined,
    chunkCacheEntries = 4096,
  ) {
    this.chunkIds = new LruMap(chunkCacheEntries);
    this.fileEncoder = new HeadCachedEncoder(tok);
  }

  build(req: PromptRequest): BuiltPrompt {
    const t0 = performance.now();
    const proposals = proposalsFor(
      req.strategy,
      this.index,
      { path: req.path, text: req.text, offset: req.offset },
      this.fileText,
    );
    const t1 = performance.now();
    const encodeChunk = (text: string) => {
      let ids = this.chunkIds.get(text);
      if (!ids) {
        ids = this.tok.encode(text);
        this.chunkIds.set(text, ids);
      }
      return ids;
    };
    const packed = packPrompt(
      this.tok,
      this.tok.fimSpecials(),
      proposals,
      { path: req.path, prefix: req.text.slice(0, req.offset), suffix: req.text.slice(req.offset) },
      {
        budget: req.budget,
        order: req.order,
        fileShare: req.fileShare,
        previous: this.lastPrompt.get(req.path),
        encodeChunk,
        fileEncoder: this.fileEncoder,
      },
    );
    this.lastPrompt.set(req.path, packed.segments.flat());
    return { packed, proposals, proposalsMs: t1 - t0, packMs: performance.now() - t1 };
  }
}
