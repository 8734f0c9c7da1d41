// The cursor's file as a fill-in-the-middle prompt in a model family's format (packing/templates), cut to a
// token budget so that typing at the cursor keeps the prompt's start in place.

import {
  encodePieces,
  encodeText,
  fillSlots,
  SUFFIX,
  type PromptEncoder,
  type TemplateLayout,
} from './templates/prompt-template';

export interface TokenEncoder {
  encode(text: string): number[];
}

export type { FimOrder } from './templates/prompt-template';

export interface FimPrompt {
  ids: number[];
  prefixTokens: number;
  suffixTokens: number;
}

/** Code rarely averages more characters per token than this; windows cut by characters use it. */
const MAX_CHARS_PER_TOKEN = 8;
/** The prefix's first line moves in steps of this many characters (see stableTail). */
const CUT_STEP = 2048;

/**
 * The end of `text` in at most `room` tokens, starting at a line boundary that stays put while the user
 * types at the end: the cut is searched from positions quantized to CUT_STEP characters, so it moves only
 * every few lines typed. A cut that moved with each keystroke would shift every prefix token and defeat
 * the KV cache for the whole file.
 */
export function stableTail(tok: TokenEncoder, text: string, room: number): number[] {
  if (room <= 0) return [];
  let charsPerToken = MAX_CHARS_PER_TOKEN;
  let cut: number | undefined;
  for (;;) {
    // The cut for the current estimate, quantized; after the first try at least one step further
    // (each try must shrink the window).
    const want = Math.max(
      0,
      Math.floor((text.length - room * charsPerToken) / CUT_STEP) * CUT_STEP,
    );
    cut = cut === undefined ? want : Math.max(want, cut + CUT_STEP);
    const nl = cut === 0 ? 0 : text.indexOf('\n', cut) + 1;
    const start = nl === 0 && cut > 0 ? text.length : nl;
    const ids = tok.encode(text.slice(start));
    if (ids.length <= room) return ids;
    // One line longer than the room: keep its end.
    if (start >= text.length || cut + CUT_STEP >= text.length) return ids.slice(ids.length - room);
    // Measured density of this text, a little pessimistic so that the next try usually fits.
    charsPerToken = Math.min(charsPerToken, (0.95 * (text.length - start)) / ids.length);
  }
}

/**
 * The cursor's file in the template's layout (Ropewalk's SPM: `<|file_sep|>path\n<|fim_suffix|>suf<|fim_prefix|>pre<|fim_middle|>`)
 * within `budget` tokens: the prefix keeps its end and the suffix its start; the suffix gets at most
 * `suffixShare` of the room. `atStart`: nothing with text comes before the file in the prompt.
 */
export function buildFimPrompt(
  enc: PromptEncoder,
  template: Pick<TemplateLayout, 'file'>,
  input: { path: string; prefix: string; suffix: string },
  budget: number,
  options: { withRepository?: boolean; atStart?: boolean; suffixShare?: number } = {},
): FimPrompt {
  const layout = encodePieces(
    template.file(input.path, options.withRepository ?? false),
    enc,
    options.atStart ?? false,
  );
  const hasSuffix = layout.parts.includes(SUFFIX);
  const room = Math.max(0, budget - layout.fixed);
  // Tokenize only what can fit (a long file's whole text would cost more than the rest of the prompt).
  const suffixRoom = hasSuffix ? Math.floor(room * (options.suffixShare ?? 0.25)) : 0;
  const suffixText = input.suffix.slice(0, suffixRoom * MAX_CHARS_PER_TOKEN);
  const suffix = encodeText(enc, suffixText, layout.suffixAtStart).slice(0, suffixRoom);
  const prefix = stableTail(
    { encode: (t) => encodeText(enc, t, layout.prefixAtStart) },
    input.prefix,
    room - suffix.length,
  );
  return {
    ids: fillSlots(layout, { prefix, suffix }),
    prefixTokens: prefix.length,
    suffixTokens: suffix.length,
  };
}

export class PositionError extends Error {
  override readonly name = 'PositionError';
}

/** Splits text at a 1-based line and column (as the editor shows them; columns count UTF-16 units). */
export function splitAt(
  text: string,
  line: number,
  column: number,
): { prefix: string; suffix: string } {
  const lines = text.split('\n');
  if (!Number.isInteger(line) || line < 1 || line > lines.length) {
    throw new PositionError(`line ${line} is outside the file (1–${lines.length})`);
  }
  const target = lines[line - 1] as string;
  const lineLength = target.endsWith('\r') ? target.length - 1 : target.length;
  if (!Number.isInteger(column) || column < 1 || column > lineLength + 1) {
    throw new PositionError(`column ${column} is outside line ${line} (1–${lineLength + 1})`);
  }
  let offset = 0;
  for (let i = 0; i < line - 1; i++) offset += (lines[i] as string).length + 1;
  offset += column - 1;
  return { prefix: text.slice(0, offset), suffix: text.slice(offset) };
}
