// SentencePiece (GGUF model 'llama') as llama.cpp runs it: score-driven merges of UTF-8 characters, byte fallback.

import { MergeQueue } from './merge-queue';
import { mergeSymbols, remaining, symbolsOf } from './symbols';

const utf8 = new TextEncoder();

export class SpmModel {
  constructor(
    private readonly tokenIds: ReadonlyMap<string, number>,
    private readonly scores: readonly number[],
    private readonly unkId: number | undefined,
  ) {}

  /** Encodes text already escaped (spaces as ▁, the space prefix added by the caller). */
  encode(text: string, out: number[]): void {
    const s = symbolsOf(text);
    const queue = new MergeQueue();
    const consider = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const merged = s.text[left]! + s.text[right]!;
      const id = this.tokenIds.get(merged);
      if (id === undefined) return;
      queue.push({ cost: -(this.scores[id] ?? 0), left, right, key: merged.length });
    };
    for (let i = 1; i < s.text.length; i++) consider(i - 1, i);
    for (let c = queue.pop(); c; c = queue.pop()) {
      const l = s.text[c.left]!;
      const r = s.text[c.right]!;
      if (l === '' || r === '' || l.length + r.length !== c.key) continue;
      mergeSymbols(s, c.left, c.right);
      consider(s.prev[c.left]!, c.left);
      consider(c.left, s.next[c.left]!);
    }
    for (const piece of remaining(s)) {
      const id = this.tokenIds.get(piece);
      if (id !== undefined) out.push(id);
      else for (const b of utf8.encode(piece)) out.push(this.byteToken(b));
    }
  }

  private byteToken(b: number): number {
    const hex = b.toString(16).toUpperCase().padStart(2, '0');
    const id =
      this.tokenIds.get(`<0x${hex}>`) ?? this.tokenIds.get(String.fromCharCode(b)) ?? this.unkId;
    return id ?? 0;
  }
}
