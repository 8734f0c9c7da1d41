// Builds the prompt for a cursor: proposals from the repository index, packed with the cursor's file
// into a fill-in-the-middle prompt. One builder lives as long as its index; it remembers the tokens of
// chunks it has packed (a chunk's text rarely changes between keystrokes) and each document's last
// prompt, so a keystroke re-tokenizes only the cursor's own file.

import { basename } from 'node:path';
import { type PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import { proposalsFor, type ContextStrategy, type Proposal } from '../context/proposals';
import type { RepoIndex } from '../context/repo-index';
import { LruMap } from '../lru-map';
import { HeadCachedEncoder } from '../packing/cached-encoder';
import { DEFAULT_REPO_NAME, packPrompt, type ChunkOrder, type PackedPrompt } from '../packing/pack';
import { templateFor, type BoundTemplate, type FimOrder } from '../packing/templates';

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
  /** The model family's prompt format, chosen from the vocabulary. */
  readonly template: BoundTemplate;
  private readonly repo: string;

  constructor(
    private readonly index: RepoIndex,
    private readonly tok: PromptTokenizer,
    /** Text of a repository file (an open editor's text first), undefined when unreadable. */
    private readonly fileText: (path: string) => string | undefined,
    options: { chunkCacheEntries?: number; order?: FimOrder } = {},
  ) {
    this.chunkIds = new LruMap(options.chunkCacheEntries ?? 4096);
    this.fileEncoder = new HeadCachedEncoder(tok);
    this.template = templateFor(tok, options.order);
    this.repo = basename(index.root) || DEFAULT_REPO_NAME;
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
    // Continuing text is what chunks almost always are; the first text of a SentencePiece prompt is
    // cached apart (its leading space changes its ids).
    const cached = (text: string, atStart: boolean) => {
      const key = atStart ? `\u0000${text}` : text;
      let ids = this.chunkIds.get(key);
      if (!ids) {
        ids = atStart ? this.tok.encode(text) : this.tok.encodeContinuation(text);
        this.chunkIds.set(key, ids);
      }
      return ids;
    };
    const packed = packPrompt(
      this.tok,
      this.template,
      proposals,
      { path: req.path, prefix: req.text.slice(0, req.offset), suffix: req.text.slice(req.offset) },
      {
        budget: req.budget,
        order: req.order,
        fileShare: req.fileShare,
        previous: this.lastPrompt.get(req.path),
        chunkEncoder: {
          encode: (t) => cached(t, true),
          encodeContinuation: (t) => cached(t, false),
        },
        fileEncoder: this.fileEncoder,
        repo: this.repo,
      },
    );
    this.lastPrompt.set(req.path, packed.segments.flat());
    return { packed, proposals, proposalsMs: t1 - t0, packMs: performance.now() - t1 };
  }
}
