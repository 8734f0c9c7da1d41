// Cuts text at whole special tokens before the model sees it, as llama.cpp's tokenizer_st_partition does.

/** A run of plain text, or a special token's id. */
export type Fragment = { text: string } | { id: number };

export interface SpecialToken {
  id: number;
  text: string;
}

/**
 * Longest tokens first, each cutting every remaining text fragment at all its occurrences (llama.cpp's
 * order, so a longer token wins over a shorter one inside it).
 */
export function splitOnSpecials(text: string, specials: readonly SpecialToken[]): Fragment[] {
  let fragments: Fragment[] = text.length > 0 ? [{ text }] : [];
  for (const sp of specials) {
    if (!text.includes(sp.text)) continue;
    const next: Fragment[] = [];
    for (const f of fragments) {
      if (!('text' in f) || !f.text.includes(sp.text)) {
        next.push(f);
        continue;
      }
      const parts = f.text.split(sp.text);
      parts.forEach((p, i) => {
        if (i > 0) next.push({ id: sp.id });
        if (p.length > 0) next.push({ text: p });
      });
    }
    fragments = next;
  }
  return fragments;
}
