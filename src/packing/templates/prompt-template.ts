// What a prompt template is: one model family's fill-in-the-middle and repository format, written as
// pieces (token ids, text, the prefix and suffix slots) and bound to a vocabulary's ids.

import type { TokenEncoder } from '../fim';

/** Where the cursor file's text goes in a template's file layout. */
export const PREFIX = { slot: 'prefix' } as const;
export const SUFFIX = { slot: 'suffix' } as const;

/** A token id, text to encode, or the cursor file's prefix or suffix. */
export type Piece = number | string | typeof PREFIX | typeof SUFFIX;

/** PSM: prefix, suffix, middle; SPM: suffix first, so the text being typed ends the prompt. */
export type FimOrder = 'psm' | 'spm';

/** What the vocabulary's file says about itself: GGUF's tokenizer keys, named as in GgufVocab (absent for tokenizer.json). */
export interface VocabFacts {
  /** tokenizer.ggml.model: 'gpt2' (byte-level BPE) or 'llama' (SentencePiece). */
  model: string;
  /** tokenizer.ggml.pre. */
  pre?: string;
  bosId?: number;
  eosId?: number;
  /** tokenizer.ggml.add_bos_token. */
  addBos?: boolean;
  // Markers the file names by key (tokenizer.ggml.fim_{pre,suf,mid,pad,rep,sep}_token_id).
  fimPreId?: number;
  fimSufId?: number;
  fimMidId?: number;
  fimPadId?: number;
  fimRepId?: number;
  fimSepId?: number;
}

/** What templates need from a tokenizer (declared here: packing does not import the model). */
export interface TemplateVocab extends TokenEncoder {
  /** Ids of text that continues earlier text: SentencePiece adds no leading space (encode's twin otherwise). */
  encodeContinuation(text: string): number[];
  /** The id of a token whose text is exactly this, if the vocabulary has one. */
  tokenId(text: string): number | undefined;
  readonly facts?: VocabFacts;
}

export interface PromptTemplate {
  readonly family: string;
  /** The family as people name it. */
  readonly label: string;
  /** Where the format is documented. */
  readonly source: string;
  /** Orders the family was trained on; the first is used unless another is asked for. */
  readonly orders: readonly FimOrder[];
  /** Whether the vocabulary is this family's: its marker strings are single tokens. */
  matches(v: TemplateVocab): boolean;
  /** The format with the vocabulary's ids; only called when matches() holds. */
  bind(v: TemplateVocab, order: FimOrder): TemplateLayout;
}

/** A template bound to a vocabulary: the pieces of each part of a prompt, and its stop tokens. */
export interface TemplateLayout {
  /** Tokens that end a completion besides the model's own end tokens: every marker that starts another part. */
  stopTokens: number[];
  /** The prompt's opening (BOS, `<|repo_name|>name\n`, `<PRE>`): a segment of its own, before any file. */
  head(repo: string): Piece[];
  /** One repository file given as context. */
  chunk(path: string, text: string): Piece[];
  /** The cursor's file; `withRepository` when repository files may come before it. */
  file(path: string, withRepository: boolean): Piece[];
  /** Said once where the model is loaded (log, status tooltip) when the format loses something. */
  notice?: string;
  /** How repository files are included, for the one-line summary. */
  repository: string;
}

export interface BoundTemplate extends TemplateLayout {
  readonly family: string;
  readonly label: string;
  readonly source: string;
  /** 'prefix-only' where the vocabulary has no fill-in-the-middle markers. */
  readonly order: FimOrder | 'prefix-only';
  /** One line for the log and the status tooltip. */
  readonly summary: string;
}

/** Ids of each text that is a single token, or undefined when one is missing. */
export function markers<const K extends string>(
  v: TemplateVocab,
  texts: Record<K, string | readonly string[]>,
): Record<K, number> | undefined {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(texts) as K[]) {
    const spellings: string | readonly string[] = texts[key];
    const id = (typeof spellings === 'string' ? [spellings] : spellings)
      .map((t) => v.tokenId(t))
      .find((x) => x !== undefined);
    if (id === undefined) return undefined;
    out[key] = id;
  }
  return out;
}

/** Ids of whichever of these texts are single tokens. */
export function presentIds(v: TemplateVocab, texts: readonly string[]): number[] {
  return texts.map((t) => v.tokenId(t)).filter((x): x is number => x !== undefined);
}

/** BOS where the file asks for it, as llama.cpp decides (tokenizer.ggml.add_bos_token, else SentencePiece). */
export function bos(v: TemplateVocab): number[] {
  const f = v.facts;
  if (!f || f.bosId === undefined) return [];
  return (f.addBos ?? f.model === 'llama') ? [f.bosId] : [];
}

/** The model's end-of-text id, from the file. */
export function eos(v: TemplateVocab): number[] {
  return v.facts?.eosId === undefined ? [] : [v.facts.eosId];
}

/** Stop tokens without repeats, in a stable order. */
export function unique(ids: readonly number[]): number[] {
  return [...new Set(ids)];
}

// Line comments by file extension, for families that name a file in a comment at its top.
const HASH = new Set(
  'py pyi pyw rb sh bash zsh fish pl pm r yaml yml toml cmake mk jl nim ps1 tcl ex exs cr coffee gd nix'.split(
    ' ',
  ),
);
const DASHES = new Set('sql lua hs elm ada adb ads vhd vhdl'.split(' '));
const SEMICOLON = new Set('clj cljs el lisp scm rkt asm s'.split(' '));
const PERCENT = new Set('tex erl hrl m'.split(' '));
const MARKUP = new Set('html htm xml svg vue svelte md'.split(' '));

/** `# path`, `// path`, … : the file's path as a comment in the file's own language. */
export function pathComment(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
  if (HASH.has(ext) || name === 'dockerfile' || name === 'makefile') return `# ${path}`;
  if (DASHES.has(ext)) return `-- ${path}`;
  if (SEMICOLON.has(ext)) return `; ${path}`;
  if (PERCENT.has(ext)) return `% ${path}`;
  if (MARKUP.has(ext)) return `<!-- ${path} -->`;
  if (ext === 'css') return `/* ${path} */`;
  return `// ${path}`;
}

/** A tokenizer as the packing uses it: encodeContinuation where SentencePiece's leading space matters. */
export interface PromptEncoder extends TokenEncoder {
  encodeContinuation?(text: string): number[];
}

/**
 * Ids of text: the first text of the prompt with encode (SentencePiece prefixes a space there, as Meta's
 * and llama.cpp's tokenizers do), any later text with encodeContinuation (Code Llama's suffix has no
 * leading space: encode_infilling).
 */
export function encodeText(enc: PromptEncoder, text: string, atStart: boolean): number[] {
  if (text.length === 0) return [];
  return atStart || !enc.encodeContinuation ? enc.encode(text) : enc.encodeContinuation(text);
}

/** Pieces as ids, the prefix and suffix slots left in place, and whether each slot's text would be the prompt's first. */
export interface EncodedPieces {
  parts: (number[] | typeof PREFIX | typeof SUFFIX)[];
  /** Ids outside the slots. */
  fixed: number;
  prefixAtStart: boolean;
  suffixAtStart: boolean;
  /** Whether no text came before the end of these pieces. */
  atStart: boolean;
}

export function encodePieces(
  pieces: readonly Piece[],
  enc: PromptEncoder,
  atStart: boolean,
): EncodedPieces {
  const out: EncodedPieces = {
    parts: [],
    fixed: 0,
    prefixAtStart: false,
    suffixAtStart: false,
    atStart,
  };
  for (const p of pieces) {
    if (typeof p === 'number') {
      out.parts.push([p]);
      out.fixed++;
    } else if (typeof p === 'string') {
      const ids = encodeText(enc, p, out.atStart);
      out.parts.push(ids);
      out.fixed += ids.length;
      if (p.length > 0) out.atStart = false;
    } else {
      if (p === PREFIX) out.prefixAtStart = out.atStart;
      else out.suffixAtStart = out.atStart;
      out.parts.push(p);
      out.atStart = false;
    }
  }
  return out;
}

/** The ids of encoded pieces with the slots filled. */
export function fillSlots(
  e: EncodedPieces,
  slots: { prefix: number[]; suffix: number[] },
): number[] {
  return e.parts.flatMap((p) =>
    p === PREFIX ? slots.prefix : p === SUFFIX ? slots.suffix : (p as number[]),
  );
}

/** The ids of pieces without slots (an opening, a repository file). */
export function piecesIds(pieces: readonly Piece[], enc: PromptEncoder, atStart = false): number[] {
  return fillSlots(encodePieces(pieces, enc, atStart), { prefix: [], suffix: [] });
}

/**
 * A whole file's text for chunk(): templates end a chunk with a newline of their own, so a file gives
 * its final newline up and reads as in the training streams (`<|file_sep|>path\ntext<|file_sep|>…`).
 */
export function wholeFile(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
