// Partial acceptance of a suggestion: the next word or the next line, and what stays suggested.

export type AcceptUnit = 'word' | 'line' | 'all';

export interface AcceptSplit {
  /** Text to insert now. */
  accepted: string;
  /** What is still suggested at the new cursor position. */
  rest: string;
}

/**
 * The next word: leading whitespace (newlines included), then a run of word characters or a run
 * of other non-blank characters (`foo`, `();`). Mirrors the editor's accept-word so that the
 * remainder shown through typed-through reuse agrees with what the editor inserted.
 */
export function nextWord(suggestion: string): string {
  return /^\s*(?:[\p{L}\p{N}_$]+|[^\s\p{L}\p{N}_$]+)?/u.exec(suggestion)?.[0] ?? '';
}

/**
 * The next line, without its newline. When the suggestion starts with a newline (the cursor ends a
 * line and the suggestion is the lines below), the newline and the following line's text.
 */
export function nextLine(suggestion: string): string {
  const nl = suggestion.indexOf('\n');
  if (nl < 0) return suggestion;
  if (suggestion.slice(0, nl).trim() !== '') return suggestion.slice(0, nl);
  const next = suggestion.indexOf('\n', nl + 1);
  return next < 0 ? suggestion : suggestion.slice(0, next);
}

/** Split a suggestion into the part accepted with `unit` and the part left suggested. */
export function acceptPart(suggestion: string, unit: AcceptUnit): AcceptSplit {
  const accepted = unit === 'word' ? nextWord(suggestion) : unit === 'line' ? nextLine(suggestion) : suggestion;
  return { accepted, rest: suggestion.slice(accepted.length) };
}
