// The document's indentation style (tabs or spaces, and the unit), and re-indenting a suggestion's
// lines to match it: models often write spaces where the file uses tabs, and the reverse.

import { isBlank, leadingWhitespace } from './code-text';

export interface IndentStyle {
  tabs: boolean;
  /** Spaces per level when `tabs` is false. */
  unit: number;
}

/**
 * The document's indentation, read from the prefix's last lines: tabs when more indented lines
 * start with a tab than with a space; otherwise spaces, the smallest indentation seen being one level.
 * Undefined when no line is indented.
 */
export function detectIndentStyle(text: string, lookBack = 400): IndentStyle | undefined {
  const lines = text.split('\n').slice(-lookBack);
  let tabLines = 0;
  let spaceLines = 0;
  let unit = Infinity;
  for (const line of lines) {
    if (isBlank(line)) continue;
    if (line[0] === '\t') tabLines++;
    else if (line[0] === ' ') {
      spaceLines++;
      unit = Math.min(unit, leadingWhitespace(line).length);
    }
  }
  if (tabLines === 0 && spaceLines === 0) return undefined;
  return tabLines > spaceLines ? { tabs: true, unit: 4 } : { tabs: false, unit };
}

/**
 * Re-indent the lines after the first with the document's style (tabs vs spaces). The first line
 * continues the cursor's line and keeps what the model wrote.
 */
export function matchIndentation(text: string, prefix: string): string {
  if (!text.includes('\n')) return text;
  const doc = detectIndentStyle(prefix);
  if (!doc) return text;
  const lines = text.split('\n');
  // The model's own space unit, to turn its spaces into whole tabs: the common divisor of its
  // indentations and 4, because one level seen alone (8 spaces) cannot tell 2 × 4 from 1 × 8, and
  // models write 2 or 4.
  let modelUnit = 4;
  for (const line of lines.slice(1)) {
    const n = /^ +/.exec(line)?.[0].length;
    if (n && !isBlank(line)) modelUnit = gcd(modelUnit, n);
  }
  return lines
    .map((line, i) => {
      if (i === 0) return line;
      const lead = leadingWhitespace(line);
      const body = line.slice(lead.length);
      if (doc.tabs && lead.includes(' ')) {
        const spaces = lead.replace(/\t/g, ' '.repeat(modelUnit)).length;
        return '\t'.repeat(Math.round(spaces / modelUnit)) + body;
      }
      if (!doc.tabs && lead.includes('\t')) return lead.replace(/\t/g, ' '.repeat(doc.unit)) + body;
      return line;
    })
    .join('\n');
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
