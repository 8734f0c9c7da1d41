// A byte-level BPE GGUF vocabulary as Hugging Face's tokenizer.json, in the shape the recipe's tokenizer.py
// writes it, so Python (the `tokenizers` package) can tokenize training data exactly as the shipped model does.

import { TokenType, type GgufVocab } from './gguf-vocab';
import { preTokenizerFor } from './pre-tokenizers';
import { UnsupportedTokenizerError } from './tokenizer-errors';

/** The parts of tokenizer.json this code writes; other readers see the standard format. */
export interface TokenizerJson {
  version: '1.0';
  added_tokens: { id: number; content: string; special: boolean }[];
  pre_tokenizer: { type: 'Sequence'; pretokenizers: Record<string, unknown>[] };
  model: {
    type: 'BPE';
    vocab: Record<string, number>;
    merges: string[];
    ignore_merges: boolean;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/**
 * tokenizer.json for a gpt2-model vocabulary: the pre-tokenizer's one split regex (HF's `Split`, isolated),
 * then byte-level mapping without its own regex, BPE over the vocabulary's merges, and the control tokens as
 * special added tokens (a reader that keeps them matches them in text; the recipe's tokenizer and Ropewalk's
 * keep them text, so readers that must agree drop them, as TextTokenizer does).
 */
export function tokenizerJsonOf(vocab: GgufVocab): TokenizerJson {
  if (vocab.model !== 'gpt2' || vocab.merges === undefined)
    throw new UnsupportedTokenizerError(
      `tokenizer.json is written for byte-level BPE vocabularies (gpt2) only, not '${vocab.model}'`,
    );
  const pre = preTokenizerFor(vocab.pre);
  // Several regexes would be a Sequence of Splits in HF, whose boundaries differ from llama.cpp's
  // sequential splitting in corner cases; Ropewalk's own pre-tokenizer has one.
  if (pre.regexes.length !== 1)
    throw new UnsupportedTokenizerError(
      `pre-tokenizer '${vocab.pre}' has ${pre.regexes.length} regexes; tokenizer.json is written for one`,
    );
  const control = (id: number) => vocab.tokenType?.[id] === TokenType.control;
  const byteLevel = {
    type: 'ByteLevel',
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: false,
  };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: vocab.tokens.flatMap((content, id) =>
      control(id)
        ? [
            {
              id,
              content,
              single_word: false,
              lstrip: false,
              rstrip: false,
              normalized: false,
              special: true,
            },
          ]
        : [],
    ),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: pre.regexes[0] }, behavior: 'Isolated', invert: false },
        byteLevel,
      ],
    },
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: pre.ignoreMerges,
      vocab: Object.fromEntries(vocab.tokens.map((t, id) => [t, id])),
      merges: [...vocab.merges],
    },
  };
}
