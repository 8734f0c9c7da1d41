// The tokenizer of a model folder: tokenizer.json for Ropewalk's own models, vocab.json (a GGUF file's
// vocabulary, saved when the model was imported) for the others — one call for every caller.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TextTokenizer } from '../tokenizer';
import { GgufTokenizer } from './gguf-tokenizer';
import type { GgufVocab } from './gguf-vocab';
import type { Tokenizer } from './tokenizer';

/**
 * What the prompt builder needs to choose and fill the model family's template (packing/templates):
 * encoding, also of text that continues other text (no SentencePiece leading space), exact token
 * lookup for the family's markers, and the GGUF file's tokenizer keys.
 */
export interface PromptTokenizer extends Tokenizer {
  encodeContinuation(text: string): number[];
  tokenId(text: string): number | undefined;
  /** The GGUF tokenizer keys (model, pre, bos/eos, add_bos, fim_*); absent for tokenizer.json. */
  readonly facts?: Readonly<GgufVocab>;
}

export function loadTokenizer(path: string): PromptTokenizer {
  if (basename(path) !== 'vocab.json') return TextTokenizer.load(path);
  return promptTokenizer(new GgufTokenizer(JSON.parse(readFileSync(path, 'utf8')) as GgufVocab));
}

/** A GGUF vocabulary as a prompt tokenizer: every family's template is chosen from it, none refused. */
export function promptTokenizer(tok: GgufTokenizer): PromptTokenizer {
  return {
    special: tok.special,
    encode: (text) => tok.encode(text),
    encodeContinuation: (text) => tok.encodeContinuation(text),
    decode: (ids) => tok.decode(ids),
    tokenId: (text) => tok.tokenId(text),
    facts: tok.vocab,
  };
}
