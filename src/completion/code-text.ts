// Small text facts about code that the completion rules share: lines, indentation, block openers, and
// a rough bracket scanner; what differs by language (comments, strings, openers) comes from its spec.

import { languageSpec, type LanguageId } from '../context/languages';

/** Languages the completion rules know: every language of the table. */
export type CompletionLanguage = LanguageId;

export const OPENERS = '([{';
export const CLOSERS = ')]}';
const PAIR: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** The opener a closer closes: `)` → `(`. */
export function openerOf(closer: string): string | undefined {
  return PAIR[closer];
}

/** The text after the last newline: the cursor's line up to the cursor. */
export function lastLine(text: string): string {
  return text.slice(text.lastIndexOf('\n') + 1);
}

/** The text before the first newline: the cursor's line after the cursor. */
export function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
}

/** The leading spaces and tabs of a line. */
export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

/** Indentation width in columns; a tab counts as `tabSize` so that mixed files still compare. */
export function indentWidth(line: string, tabSize = 4): number {
  let width = 0;
  for (const c of leadingWhitespace(line)) width += c === '\t' ? tabSize : 1;
  return width;
}

export function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** Drops a trailing line comment, roughly: a `#`/`//` that is not inside quotes on that line. */
export function stripLineComment(line: string, language: CompletionLanguage): string {
  const marker = languageSpec(language).lineComment;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (line.startsWith(marker, i)) return line.slice(0, i);
  }
  return line;
}

/**
 * Whether a line ends by opening a block or a bracketed list whose body goes on the next lines:
 * `:` in Python, `{` `(` `[` anywhere, and `=>` in the JavaScript family.
 */
export function opensBlock(line: string, language: CompletionLanguage): boolean {
  const code = stripLineComment(line, language).trimEnd();
  if (/[([{]$/.test(code)) return true;
  return languageSpec(language).blockOpeners.some((o) => code.endsWith(o));
}

export interface BracketHit {
  char: string;
  index: number;
  /** Index where the bracket's line starts, to read its indentation. */
  lineStart: number;
}

/**
 * Brackets outside strings and comments. Rough on purpose: no regex literals, no `${}` nesting
 * in template strings, and a text that starts inside a string is read as code. Good enough to
 * balance a suggestion against the lines around it; a parser hook can check the rest.
 */
export function* scanBrackets(text: string, language: CompletionLanguage): Generator<BracketHit> {
  const { lineComment, blockComment, tripleQuotedStrings } = languageSpec(language);
  let lineStart = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      lineStart = i + 1;
      i++;
    } else if (text.startsWith(lineComment, i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (blockComment && text.startsWith(blockComment.open, i)) {
      const end = text.indexOf(blockComment.close, i + blockComment.open.length);
      const stop = end < 0 ? text.length : end + blockComment.close.length;
      const nl = text.lastIndexOf('\n', stop - 1);
      if (nl >= i) lineStart = nl + 1;
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      const triple = tripleQuotedStrings && text.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      // Only triple-quoted and template strings span lines; an unterminated quote ends at the line.
      const multiline = triple || c === '`';
      let j = i + close.length;
      while (j < text.length && !text.startsWith(close, j)) {
        if (text[j] === '\\') j++;
        else if (text[j] === '\n') {
          if (!multiline) break;
          lineStart = j + 1;
        }
        j++;
      }
      i = text.startsWith(close, j) ? j + close.length : j;
    } else {
      if (OPENERS.includes(c) || CLOSERS.includes(c)) yield { char: c, index: i, lineStart };
      i++;
    }
  }
}

export interface OpenBracket {
  char: string;
  index: number;
  /** Indentation of the line the bracket is on: a closer that starts a line at this width is its partner. */
  lineIndent: number;
}

/** Brackets the text opens and does not close, outermost first. */
export function unclosedBrackets(text: string, language: CompletionLanguage): OpenBracket[] {
  const stack: OpenBracket[] = [];
  for (const hit of scanBrackets(text, language)) {
    if (OPENERS.includes(hit.char)) {
      stack.push({
        char: hit.char,
        index: hit.index,
        lineIndent: indentWidth(text.slice(hit.lineStart, hit.lineStart + 200)),
      });
      continue;
    }
    // A stray closer pops back to its partner if there is one, else it is ignored.
    const want = openerOf(hit.char);
    const at = stack.map((b) => b.char).lastIndexOf(want ?? '');
    if (at >= 0) stack.length = at;
  }
  return stack;
}

export interface StrayCloser {
  char: string;
  index: number;
  /** Indentation when the closer starts its line, undefined when code precedes it on the line. */
  lineIndent: number | undefined;
}

/**
 * Closers in the text that close nothing opened inside it: they close brackets from before it.
 * The text is taken to start at a cursor, so its first line never starts a line.
 */
export function strayClosers(text: string, language: CompletionLanguage): StrayCloser[] {
  const stack: string[] = [];
  const stray: StrayCloser[] = [];
  for (const hit of scanBrackets(text, language)) {
    if (OPENERS.includes(hit.char)) stack.push(hit.char);
    else if (stack.length > 0) {
      if (stack[stack.length - 1] === openerOf(hit.char)) stack.pop();
    } else {
      const before = text.slice(hit.lineStart, hit.index);
      const startsLine = hit.lineStart > 0 && isBlank(before);
      stray.push({
        char: hit.char,
        index: hit.index,
        lineIndent: startsLine ? indentWidth(before) : undefined,
      });
    }
  }
  return stray;
}

/**
 * Which of the prefix's open brackets the suffix already closes, by position in `open`. A closer
 * that starts a line must sit at its opener's indentation, so a class's `}` below the cursor is not
 * taken for the `}` of the method being written.
 */
export function closedBySuffix(
  open: OpenBracket[],
  suffix: string,
  language: CompletionLanguage,
): boolean[] {
  const closed = open.map(() => false);
  let j = open.length - 1;
  for (const closer of strayClosers(suffix, language)) {
    while (j >= 0) {
      const o = open[j] as OpenBracket;
      j--;
      if (
        o.char === openerOf(closer.char) &&
        (closer.lineIndent === undefined || closer.lineIndent === o.lineIndent)
      ) {
        closed[j + 1] = true;
        break;
      }
    }
    if (j < 0) break;
  }
  return closed;
}
