// Tokenizing the file around the cursor again at every keystroke costs more than the rest of a warm
// prompt build. Text is split at the last line that starts with a non-space: the tokenizer's
// pre-tokens never cross such a point (a newline run ends there; no pre-token starts with a newline
// and continues into a word), so the ids of the part before it are cached and only the rest is encoded.

import { LruMap } from '../lru-map';
import { encodeText, type PromptEncoder } from './templates/prompt-template';

/** The last offset after a newline whose next character is not whitespace (0 when there is none). */
export function lastSafeSplit(text: string): number {
  for (let i = text.lastIndexOf('\n', text.length - 2); i >= 0; i = text.lastIndexOf('\n', i - 1)) {
    const next = text.charCodeAt(i + 1);
    // Not space, tab, CR, LF, form feed or vertical tab.
    if (next !== 32 && next !== 9 && next !== 13 && next !== 10 && next !== 12 && next !== 11)
      return i + 1;
    if (i === 0) break;
  }
  return 0;
}

export class HeadCachedEncoder implements PromptEncoder {
  private readonly heads: LruMap<string, number[]>;
  /** Heads encoded as continuing text (no SentencePiece leading space), kept apart. */
  private readonly continuedHeads: LruMap<string, number[]>;

  constructor(
    private readonly inner: PromptEncoder,
    capacity = 8,
    private readonly minHead = 256,
  ) {
    this.heads = new LruMap(capacity);
    this.continuedHeads = new LruMap(capacity);
  }

  encode(text: string): number[] {
    return this.cached(text, true);
  }

  encodeContinuation(text: string): number[] {
    return this.cached(text, false);
  }

  private cached(text: string, atStart: boolean): number[] {
    const split = lastSafeSplit(text);
    if (split < this.minHead) return encodeText(this.inner, text, atStart);
    const head = text.slice(0, split);
    const cache = atStart ? this.heads : this.continuedHeads;
    let ids = cache.get(head);
    if (!ids) {
      ids = encodeText(this.inner, head, atStart);
      cache.set(head, ids);
    }
    // The rest continues the head's text: no second leading space.
    return [...ids, ...encodeText(this.inner, text.slice(split), false)];
  }
}
