// A vocabulary of one token per character (id = code + 100) with Ropewalk's special tokens at 0–6, so
// that budget arithmetic stays visible in packing tests.

import type { TemplateVocab } from '../../src/packing/templates';

const SPECIALS = [
  '<|endoftext|>',
  '<|fim_prefix|>',
  '<|fim_middle|>',
  '<|fim_suffix|>',
  '<|fim_pad|>',
  '<|file_sep|>',
  '<|repo_name|>',
];

export const charVocab: TemplateVocab = {
  encode: (s: string) => Array.from(s, (c) => c.charCodeAt(0) + 100),
  encodeContinuation: (s: string) => Array.from(s, (c) => c.charCodeAt(0) + 100),
  tokenId: (t: string) => (SPECIALS.includes(t) ? SPECIALS.indexOf(t) : undefined),
};

/** Ids as text, specials as <id>. */
export const charText = (ids: number[]) =>
  ids.map((i) => (i >= 100 ? String.fromCharCode(i - 100) : `<${i}>`)).join('');
