// Decides from the text around the cursor whether to ask the model for one line or a block,
// and how the generation should stop.

import {
  type CompletionLanguage,
  firstLine,
  isBlank,
  lastLine,
  opensBlock,
  openerOf,
} from './code-text';

export type CompletionMode = 'single-line' | 'multi-line';

/** Why a shape was chosen; for logs and tests. */
export type ShapeReason =
  'mid-line' | 'end-of-line' | 'blank-line' | 'end-of-opener' | 'after-opener' | 'empty-body';

export interface RequestShape {
  mode: CompletionMode;
  /** Most lines to show; the post-processor cuts there. */
  maxLines: number;
  /** Strings that end generation early (the model need not write what would be cut anyway). */
  stop: string[];
  reason: ShapeReason;
}

export interface ShapeOptions {
  /** Cap for multi-line suggestions; default 12. */
  maxLines?: number;
}

const DEFAULT_MAX_LINES = 12;

/**
 * Single-line or multi-line, from the syntax position.
 *
 * Multi-line when the cursor ends a line that opens a block (`def f():`, `if (x) {`, `=> `, `(`),
 * sits on a blank line right below such a line, or sits inside an empty pair the editor closed
 * (`{|}`, braces only). Single-line everywhere else: mid-line with code after the cursor (the post-processor then
 * keeps the suggestion from running past that code), at the end of an ordinary line, or on a blank
 * line between statements. Users complain most about long wrong blocks, so a block is only asked
 * for where a body is clearly expected.
 */
export function requestShape(
  prefix: string,
  suffix: string,
  language: CompletionLanguage,
  options: ShapeOptions = {},
): RequestShape {
  const multi = (reason: ShapeReason): RequestShape => ({
    mode: 'multi-line',
    maxLines: Math.max(1, options.maxLines ?? DEFAULT_MAX_LINES),
    // Two blank lines end a top-level block in every style guide we serve; later rules cut the rest.
    stop: ['\n\n\n'],
    reason,
  });
  const single = (reason: ShapeReason): RequestShape => ({
    mode: 'single-line',
    maxLines: 1,
    stop: ['\n'],
    reason,
  });

  const before = lastLine(prefix);
  const after = firstLine(suffix).replace(/\r$/, '').trim();
  if (after !== '') {
    // Only braces hold bodies; `f(|)` and `[|]` are filled in on the line.
    if (
      before.trimEnd().endsWith('{') &&
      openerOf(after[0] as string) === '{' &&
      opensBlock(before, language)
    )
      return multi('empty-body');
    return single('mid-line');
  }
  if (isBlank(before)) {
    const above = previousNonBlankLine(prefix);
    return above !== undefined && opensBlock(above, language)
      ? multi('after-opener')
      : single('blank-line');
  }
  return opensBlock(before, language) ? multi('end-of-opener') : single('end-of-line');
}

/** The nearest non-blank line above the cursor's line. */
function previousNonBlankLine(prefix: string): string | undefined {
  let end = prefix.lastIndexOf('\n');
  while (end > 0) {
    const start = prefix.lastIndexOf('\n', end - 1) + 1;
    const line = prefix.slice(start, end);
    if (!isBlank(line)) return line;
    end = start - 1;
  }
  return undefined;
}
