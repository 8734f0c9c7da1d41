// LRU of shown suggestions, so that typing what a suggestion says, or deleting back to where it
// was made, shows it again without asking the model.

import { createHash } from 'node:crypto';
import { LruMap } from '../lru-map';

export interface ResultCacheOptions {
  /** Most suggestions kept; the least recently used goes first. Default 250. */
  maxEntries?: number;
  /** Characters of the prefix, counted back from the cursor, that identify a position. Default 2048. */
  prefixChars?: number;
  /** Characters of the suffix, from the cursor on, that identify a position. Default 512. */
  suffixChars?: number;
  /** Most characters typed since a cached request that still reuse it. Default 128. */
  maxTypedThrough?: number;
}

/**
 * Suggestions keyed by (document path, prefix tail, suffix head). Keys are SHA-1 digests of
 * bounded slices, so an entry costs its suggestion plus ~28 characters whatever the file's size.
 */
export class ResultCache {
  private readonly entries: LruMap<string, string>;
  private readonly prefixChars: number;
  private readonly suffixChars: number;
  private readonly maxTypedThrough: number;

  constructor(options: ResultCacheOptions = {}) {
    this.entries = new LruMap(Math.max(1, options.maxEntries ?? 250));
    this.prefixChars = Math.max(1, options.prefixChars ?? 2048);
    this.suffixChars = Math.max(0, options.suffixChars ?? 512);
    this.maxTypedThrough = Math.max(0, options.maxTypedThrough ?? 128);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Remember the suggestion shown at this position. An empty suggestion is not stored. */
  set(path: string, prefix: string, suffix: string, suggestion: string): void {
    if (suggestion === '') return;
    this.entries.set(this.key(path, prefix, suffix), suggestion);
  }

  /**
   * The suggestion for this position: one cached here exactly (e.g. after backspacing to it), or
   * the rest of one cached a few characters earlier when the characters typed since are exactly its
   * start. Undefined when neither, or when the typing has used the whole suggestion up.
   */
  get(path: string, prefix: string, suffix: string): string | undefined {
    const exact = this.entries.get(this.key(path, prefix, suffix));
    if (exact !== undefined) return exact;
    const most = Math.min(this.maxTypedThrough, prefix.length);
    // Shortest typed run first: the most recent request is the best guess.
    for (let typed = 1; typed <= most; typed++) {
      const earlier = prefix.slice(0, prefix.length - typed);
      // Peeked: an entry that turns out not to fit is not a use.
      const cached = this.entries.peek(this.key(path, earlier, suffix));
      if (cached === undefined) continue;
      const run = prefix.slice(prefix.length - typed);
      // Typed something else, or typed it all: this entry has nothing to offer; an older one may.
      if (!cached.startsWith(run) || cached.length === typed) continue;
      this.entries.get(this.key(path, earlier, suffix));
      return cached.slice(typed);
    }
    return undefined;
  }

  clear(): void {
    this.entries.clear();
  }

  private key(path: string, prefix: string, suffix: string): string {
    // NUL cannot appear in a path, so the three parts cannot run into each other.
    return createHash('sha1')
      .update(path)
      .update('\0')
      .update(prefix.slice(-this.prefixChars))
      .update('\0')
      .update(suffix.slice(0, this.suffixChars))
      .digest('base64');
  }
}
