// The tokenizer of a model folder: tokenizer.json for Ropewalk's own models, vocab.json (a GGUF file's
// vocabulary, saved when the model was imported) for the others — one call for every caller.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TextTokenizer } from '../tokenizer';
import { GgufTokenizer } from './gguf-tokenizer';
import type { GgufVocab } from './gguf-vocab';
import type { FimSpecials, Tokenizer } from './tokenizer';
import { MissingTokenError } from './tokenizer-errors';

/** What the prompt builder needs: a tokenizer whose vocabulary has FIM markers and a file separator. */
export interface PromptTokenizer extends Omit<Tokenizer, 'fimSpecials'> {
  fimSpecials(): Required<FimSpecials>;
}

export function loadTokenizer(path: string): PromptTokenizer {
  if (basename(path) !== 'vocab.json') return TextTokenizer.load(path);
  return promptTokenizer(
    new GgufTokenizer(JSON.parse(readFileSync(path, 'utf8')) as GgufVocab),
    path,
  );
}

/**
 * A GGUF vocabulary as a prompt tokenizer. Repository context is packed with the model's file separator
 * (Qwen2.5-Coder's and StarCoder2's formats); a family without one has no repository format of this
 * kind: encoding and decoding work (generate, score), and a completion prompt is refused by name
 * rather than built in a format the model was not trained on.
 */
export function promptTokenizer(tok: GgufTokenizer, source: string): PromptTokenizer {
  const fim = tok.findFimSpecials();
  const fimSpecials = (): Required<FimSpecials> => {
    if (!fim)
      throw new MissingTokenError(
        `${source}: the vocabulary has no fill-in-the-middle tokens, so it cannot complete between a prefix and a suffix`,
      );
    if (fim.fileSep === undefined) {
      throw new MissingTokenError(
        `${source}: the vocabulary has no file-separator token; repository prompts for this family (DeepSeek-Coder's, CodeLlama's) are not supported yet`,
      );
    }
    return { ...fim, fileSep: fim.fileSep };
  };
  return {
    special: tok.special,
    encode: (text) => tok.encode(text),
    decode: (ids) => tok.decode(ids),
    fimSpecials,
  };
}
