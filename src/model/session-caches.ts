// One KV cache per session (an editor document, say), all under one memory bound that evicts the
// least recently used first; the generator only asks for the entry of the session it serves.

import type { KvCache } from './kv-cache';

/** A session's cache and what it holds. */
export interface CacheEntry {
  cache: KvCache;
  /** Tokens whose entries the cache holds, and the RoPE plan they were computed under. */
  tokens: number[];
  planId: string;
}

export class SessionCaches {
  /** Map order is recency order: the newest last. */
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly newCache: () => KvCache,
    /** Bound on the bytes of all sessions' caches together. */
    private readonly maxBytes: number,
  ) {}

  /** The session's cache entry, created if new; other sessions are evicted, least recently used first,
   *  while all together hold more than the bound. */
  use(key: string): CacheEntry {
    let entry = this.entries.get(key);
    this.entries.delete(key);
    entry ??= { cache: this.newCache(), tokens: [], planId: '' };
    this.entries.set(key, entry);
    let total = 0;
    for (const e of this.entries.values()) total += e.cache.bytes();
    for (const [k, e] of this.entries) {
      if (total <= this.maxBytes || k === key) break;
      total -= e.cache.bytes();
      this.entries.delete(k);
    }
    return entry;
  }

  /** Sessions whose caches are held, least recently used first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }
}
