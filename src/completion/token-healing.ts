// Token healing: a prompt that ends inside a word ends on a token the model rarely saw split there
// (`self.na` is `na`, not the `name` it learned), so the partial word is taken out of the prompt and the
// generation is made to begin with it instead.

/** Longest partial word healed: identifiers longer than this are rare and cost more masked steps. */
const MAX_HEALED = 24;

export interface HealedCursor {
  /** The text with the partial word before the cursor removed. */
  text: string;
  offset: number;
  /** The removed characters: the generation must begin with them; strip them from its output. */
  healed: string;
}

export function healCursor(text: string, offset: number): HealedCursor {
  const before = text.slice(Math.max(0, offset - MAX_HEALED), offset);
  const m = /[A-Za-z0-9_$]+$/.exec(before);
  if (!m || m[0].length === before.length) return { text, offset, healed: '' };
  const healed = m[0];
  return {
    text: text.slice(0, offset - healed.length) + text.slice(offset),
    offset: offset - healed.length,
    healed,
  };
}

/** The model's output without the healed characters it was made to begin with. */
export function unheal(output: string, healed: string): string {
  return output.startsWith(healed) ? output.slice(healed.length) : output;
}
