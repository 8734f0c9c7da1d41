// Turns raw model text into the suggestion to show: cut to the request's shape, keep it from
// repeating what is already in the document, balance its brackets, and match the file's layout.

import {
  CLOSERS,
  type CompletionLanguage,
  closedBySuffix,
  firstLine,
  indentWidth,
  isBlank,
  lastLine,
  openerOf,
  opensBlock,
  scanBrackets,
  unclosedBrackets,
} from './code-text';
import { matchIndentation } from './indent-style';
import type { CompletionMode } from './request-shape';

export { detectIndentStyle, matchIndentation, type IndentStyle } from './indent-style';

export interface PostProcessInput {
  /** What the model generated, as decoded. */
  raw: string;
  /** Document text before the cursor. */
  prefix: string;
  /** Document text after the cursor. */
  suffix: string;
  language: CompletionLanguage;
  mode: CompletionMode;
}

/**
 * Says whether a candidate suggestion leaves the code well formed, e.g. by parsing
 * prefix + candidate + suffix with tree-sitter and looking for errors near the cursor.
 */
export type BlockCheck = (candidate: string) => boolean;

export interface PostProcessOptions {
  /** Most lines to show, not counting an empty first line (the rest of the cursor's line). */
  maxLines?: number;
  /** Optional parser check; the indentation and bracket rules work without it. */
  isCompleteBlock?: BlockCheck;
}

/**
 * The suggestion to show for raw model text, or undefined when nothing useful is left
 * (whitespace only, or text already present after the cursor).
 *
 * Lines are joined with `\n`; the editor converts them to the document's line ending on insert.
 */
export function postProcess(
  input: PostProcessInput,
  options: PostProcessOptions = {},
): string | undefined {
  const { language, mode } = input;
  const noCr = (s: string) => (s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s);
  const prefix = noCr(input.prefix);
  const suffix = noCr(input.suffix);
  let text = cutAtUndecodable(noCr(input.raw), prefix, suffix);

  text = mode === 'single-line' ? cutAtFirstNewline(text) : cutAtBlockEnd(text, prefix, language);
  text = balanceBrackets(text, prefix, suffix, language);
  if (mode === 'single-line') text = cutAtLineSuffix(text, suffix, language);
  text = trimSuffixOverlap(text, suffix, language);
  if (mode === 'multi-line') text = cutAtRepeatedLines(text, prefix, suffix);
  text = matchIndentation(text, prefix);
  text = tidyWhitespace(text);
  if (options.maxLines !== undefined) text = capLines(text, options.maxLines);
  if (options.isCompleteBlock && mode === 'multi-line')
    text = longestCompleteCut(text, options.isCompleteBlock);
  return isRedundant(text, suffix) ? undefined : text;
}

/**
 * Text up to the first U+FFFD the decoder made of bytes that are not UTF-8 (a model that strays into
 * byte tokens: llama.cpp's servers show the same garbage). A document that already holds U+FFFD keeps
 * it, since there the character can be meant.
 */
export function cutAtUndecodable(text: string, prefix: string, suffix: string): string {
  const at = text.indexOf('\uFFFD');
  if (at < 0 || prefix.includes('\uFFFD') || suffix.includes('\uFFFD')) return text;
  return text.slice(0, at);
}

/** Single-line requests: everything up to the first newline. */
export function cutAtFirstNewline(text: string): string {
  return firstLine(text);
}

/**
 * Multi-line requests: end the suggestion where the cursor's block ends, i.e. at the first line
 * indented less than the block's body. When the cursor ends a line that opens a block, the body is
 * the lines the model writes below it; otherwise the cursor's own line sets the body's indentation.
 * At the top level (nothing to dedent to) one compound statement is kept: a line back at column 0
 * after indented lines ends it. Lines that start with a closing bracket are left to
 * {@link balanceBrackets}, which knows whether the document already closes that bracket.
 */
export function cutAtBlockEnd(text: string, prefix: string, language: CompletionLanguage): string {
  const lines = text.split('\n');
  if (lines.length === 1) return text;
  const cursorLine = lastLine(prefix);
  const head = lines[0] as string;
  let bodyIndent: number;
  if (isBlank(head) && opensBlock(cursorLine, language)) {
    const firstBody = lines.find((l, i) => i > 0 && !isBlank(l));
    if (firstBody === undefined) return text;
    // A body is deeper than its header, even when the model forgot to indent it.
    bodyIndent = Math.max(indentWidth(firstBody), indentWidth(cursorLine) + 1);
  } else {
    const joined = cursorLine + head;
    bodyIndent = indentWidth(isBlank(joined) ? cursorLine : joined);
  }
  let wentDeeper = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (isBlank(line)) continue;
    const width = indentWidth(line);
    if (width > bodyIndent) wentDeeper = true;
    if (startsWithCloser(line)) continue;
    if (width < bodyIndent || (bodyIndent === 0 && width === 0 && wentDeeper))
      return lines.slice(0, i).join('\n');
  }
  return text;
}

function startsWithCloser(line: string): boolean {
  return CLOSERS.includes(line.trimStart()[0] ?? '');
}

/**
 * Never close more brackets than the prefix opened, and never close one twice: a closer that
 * matches nothing, mismatches, or closes a prefix bracket that the suffix already closes ends the
 * suggestion right before it. `foo(|)` with model text `a, b)` gives `a, b`. Brackets inside
 * strings and comments are skipped roughly (see `scanBrackets`).
 */
export function balanceBrackets(
  text: string,
  prefix: string,
  suffix: string,
  language: CompletionLanguage,
): string {
  const open = unclosedBrackets(prefix, language);
  let closed: boolean[] | undefined; // the suffix scan is only needed once the text closes a prefix bracket
  let next = open.length - 1;
  const local: string[] = [];
  for (const hit of scanBrackets(text, language)) {
    if (!CLOSERS.includes(hit.char)) {
      local.push(hit.char);
      continue;
    }
    const want = openerOf(hit.char);
    if (local.length > 0) {
      if (local[local.length - 1] !== want) return text.slice(0, hit.index);
      local.pop();
      continue;
    }
    closed ??= closedBySuffix(open, suffix, language);
    if (next < 0 || open[next]?.char !== want || closed[next]) return text.slice(0, hit.index);
    next--;
  }
  return text;
}

/**
 * Mid-line requests: stop where the model starts writing the rest of the cursor's line, which is
 * already there. `if (|) {` with model text `a > 0) {` gives `a > 0`. An occurrence inside a
 * bracket the suggestion opened itself is the suggestion's own code and does not count.
 */
export function cutAtLineSuffix(
  text: string,
  suffix: string,
  language: CompletionLanguage,
): string {
  const rest = firstLine(suffix).trim();
  if (rest === '') return text;
  const line = firstLine(text);
  for (let at = line.indexOf(rest); at >= 0; at = line.indexOf(rest, at + 1)) {
    if (isWordChar(rest[0]) && isWordChar(line[at - 1])) continue;
    const kept = text.slice(0, at);
    if (unclosedBrackets(kept, language).length === 0) return kept;
  }
  return text;
}

/**
 * Trim the end of the suggestion where it repeats the start of the suffix: `foo(|);` with model
 * text `x);` gives `x`. The longest overlap wins, but not one that would take a closer the
 * suggestion needs for its own brackets (`bar(1)` keeps its `)`), nor one that splits a word.
 */
export function trimSuffixOverlap(
  text: string,
  suffix: string,
  language: CompletionLanguage,
): string {
  const head = suffix.slice(0, Math.min(suffix.length, text.length, 1000));
  const ownOpen = unclosedBrackets(text, language).length;
  for (let k = head.length; k > 0; k--) {
    if (!text.endsWith(head.slice(0, k))) continue;
    if (isWordChar(suffix[k - 1]) && isWordChar(suffix[k])) continue;
    const kept = text.slice(0, text.length - k);
    if (unclosedBrackets(kept, language).length > ownOpen) continue;
    return kept;
  }
  return text;
}

/**
 * Multi-line requests: cut where the suggestion starts repeating the next non-blank line below the
 * cursor. A line of punctuation alone (`}`) must also match that line's indentation, because the
 * suggestion's own blocks end with the same `}` one level deeper.
 */
export function cutAtRepeatedLines(text: string, prefix: string, suffix: string): string {
  const below = suffix
    .split('\n')
    .slice(1)
    .find((l) => !isBlank(l));
  if (below === undefined) return text;
  const want = below.trim();
  const punctuationOnly = !/[\p{L}\p{N}_$]/u.test(want);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    // The first line continues the cursor's line; it is a whole line only when that line was blank.
    const line = i === 0 ? lastLine(prefix) + lines[0] : (lines[i] as string);
    if (i === 0 && !isBlank(lastLine(prefix))) continue;
    if (line.trim() !== want) continue;
    if (punctuationOnly && indentWidth(line) !== indentWidth(below)) continue;
    return lines.slice(0, i).join('\n');
  }
  return text;
}

/** No trailing whitespace on any line, and no blank lines at the end. */
export function tidyWhitespace(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trimEnd();
}

/** At most `maxLines` lines; an empty first line (the rest of the cursor's line) does not count. */
export function capLines(text: string, maxLines: number): string {
  const lines = text.split('\n');
  const keep = Math.max(1, maxLines) + (isBlank(lines[0] as string) && lines.length > 1 ? 1 : 0);
  return lines.length <= keep ? text : lines.slice(0, keep).join('\n');
}

/**
 * The longest whole-line cut of the suggestion that the parser check accepts; the suggestion
 * unchanged when none is accepted (a file that already has errors elsewhere cannot be vouched for).
 */
export function longestCompleteCut(text: string, check: BlockCheck): string {
  const lines = text.split('\n');
  for (let n = lines.length; n > 0; n--) {
    if (isBlank(lines[n - 1] as string) && n > 1) continue;
    const candidate = lines.slice(0, n).join('\n');
    if (!isBlank(candidate) && check(candidate)) return candidate;
  }
  return text;
}

/** Nothing to show: whitespace only, or the same text already follows the cursor. */
export function isRedundant(text: string, suffix: string): boolean {
  const t = text.trim();
  return t === '' || suffix.trimStart().startsWith(t);
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_$]/u.test(c);
}
