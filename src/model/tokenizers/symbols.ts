// The doubly linked list of symbols both merge algorithms work on.

export interface SymbolList {
  text: string[];
  prev: Int32Array;
  next: Int32Array;
}

/** One symbol per code point (a byte-level character, or a UTF-8 character for SentencePiece). */
export function symbolsOf(word: string): SymbolList {
  const text = Array.from(word);
  const n = text.length;
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  return { text, prev, next };
}

/** Merges symbol `right` into `left` and unlinks it. */
export function mergeSymbols(s: SymbolList, left: number, right: number): void {
  s.text[left] = s.text[left]! + s.text[right]!;
  s.text[right] = '';
  const after = s.next[right]!;
  s.next[left] = after;
  if (after >= 0) s.prev[after] = left;
}

/** The symbols left, in order. */
export function remaining(s: SymbolList): string[] {
  const out: string[] = [];
  for (let i = s.text.length > 0 ? 0 : -1; i !== -1; i = s.next[i]!) out.push(s.text[i]!);
  return out;
}
