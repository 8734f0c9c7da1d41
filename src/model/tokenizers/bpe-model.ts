// Byte-level BPE over a GGUF vocabulary: llama.cpp's pre-tokenizer split, then rank-ordered merges per word.

import { byteEncode } from './byte-encoding';
import { MergeQueue } from './merge-queue';
import type { PreTokenizer } from './pre-tokenizers';
import { regexSplit } from './unicode-split';
import { mergeSymbols, remaining, symbolsOf, type SymbolList } from './symbols';

// Code repeats the same identifiers and indentation; a bounded cache makes long prompts cheap.
const WORD_CACHE_LIMIT = 65536;

export class BpeModel {
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, readonly number[]>();

  constructor(
    private readonly tokenIds: ReadonlyMap<string, number>,
    merges: readonly string[],
    private readonly pre: PreTokenizer,
  ) {
    merges.forEach((m, rank) => {
      if (!this.ranks.has(m)) this.ranks.set(m, rank);
    });
  }

  encode(text: string, out: number[]): void {
    for (const word of regexSplit(text, this.pre.regexes)) {
      let ids = this.cache.get(word);
      if (!ids) {
        ids = this.encodeWord(byteEncode(word));
        if (this.cache.size >= WORD_CACHE_LIMIT) this.cache.clear();
        this.cache.set(word, ids);
      }
      for (const id of ids) out.push(id);
    }
  }

  private encodeWord(word: string): number[] {
    const whole = this.pre.ignoreMerges ? this.tokenIds.get(word) : undefined;
    if (whole !== undefined) return [whole];
    const s = symbolsOf(word);
    const queue = new MergeQueue();
    const consider = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const rank = this.ranks.get(`${s.text[left]} ${s.text[right]}`);
      if (rank !== undefined)
        queue.push({ cost: rank, left, right, key: s.text[left]! + s.text[right]! });
    };
    for (let i = 1; i < s.text.length; i++) consider(i - 1, i);
    for (let c = queue.pop(); c; c = queue.pop()) {
      const l = s.text[c.left]!;
      const r = s.text[c.right]!;
      // Entries whose sides were merged since are stale; llama.cpp skips them the same way.
      if (l === '' || r === '' || l + r !== c.key) continue;
      mergeSymbols(s, c.left, c.right);
      consider(s.prev[c.left]!, c.left);
      consider(c.left, s.next[c.left]!);
    }
    return this.idsOf(s);
  }

  private idsOf(s: SymbolList): number[] {
    const ids: number[] = [];
    for (const piece of remaining(s)) {
      const id = this.tokenIds.get(piece);
      if (id !== undefined) {
        ids.push(id);
        continue;
      }
      // A piece with no token falls back to its single bytes, dropping bytes the vocabulary lacks (as llama.cpp).
      for (const ch of piece) {
        const b = this.tokenIds.get(ch);
        if (b !== undefined) ids.push(b);
      }
    }
    return ids;
  }
}
