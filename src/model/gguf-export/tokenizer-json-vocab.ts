// tokenizer.json (Hugging Face byte-level BPE, as models/recipe/tokenizer.py writes it) as a GGUF
// vocabulary: tokens by id, the specials as control tokens, merges, and the pre-tokenizer by name.

import { TokenType, type GgufVocab } from '../tokenizers/gguf-vocab';
import { preTokenizerNameFor } from '../tokenizers/pre-tokenizers';

/** tokenizer.json holds something a GGUF vocabulary cannot say, or that Ropewalk's GGUF tokenizer would split differently. */
export class UnsupportedTokenizerJsonError extends Error {
  override readonly name = 'UnsupportedTokenizerJsonError';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path} cannot be written as a GGUF vocabulary: ${detail}`);
  }
}

interface AddedToken {
  id: number;
  content: string;
  special?: boolean;
}

interface TokenizerJson {
  normalizer?: unknown;
  pre_tokenizer?: { type?: string; pretokenizers?: Record<string, unknown>[] } & Record<
    string,
    unknown
  >;
  decoder?: { type?: string } | null;
  added_tokens?: AddedToken[];
  model?: {
    type?: string;
    vocab?: Record<string, number>;
    merges?: (string | [string, string])[];
    byte_fallback?: boolean;
    ignore_merges?: boolean;
    continuing_subword_prefix?: string | null;
    end_of_word_suffix?: string | null;
  };
}

/**
 * The GGUF vocabulary of a tokenizer.json. Only the shape the recipe writes is accepted (no normalizer,
 * one Split regex then ByteLevel without its own regex, plain BPE): anything else would tokenize
 * differently once in GGUF form, so it is refused by name instead of converted approximately.
 */
export function vocabFromTokenizerJson(parsed: unknown, path: string): GgufVocab {
  const json = parsed as TokenizerJson;
  const refuse = (detail: string): never => {
    throw new UnsupportedTokenizerJsonError(path, detail);
  };
  const model = json.model;
  if (model?.type !== 'BPE' || !model.vocab || !model.merges) refuse('model is not BPE');
  if (model!.byte_fallback || model!.continuing_subword_prefix || model!.end_of_word_suffix)
    refuse('BPE options (byte fallback, subword affixes) GGUF gpt2 vocabularies lack');
  if (json.normalizer) refuse('it has a normalizer');
  if (json.decoder?.type !== 'ByteLevel') refuse('the decoder is not ByteLevel');
  const pattern = splitPattern(json) ?? refuse('the pre-tokenizer is not Split(regex) + ByteLevel');
  // ignore_merges changes which ids a word gets, so it is part of what the pre-tokenizer name must say.
  const pre =
    preTokenizerNameFor([pattern], model!.ignore_merges ?? false) ??
    refuse(`no GGUF pre-tokenizer name splits with ${JSON.stringify(pattern)}`);

  const vocab = model!.vocab!;
  const size = Math.max(-1, ...Object.values(vocab), ...(json.added_tokens ?? []).map((t) => t.id));
  const tokens = new Array<string | undefined>(size + 1);
  for (const [text, id] of Object.entries(vocab)) tokens[id] = text;
  const tokenType = new Array<number>(size + 1).fill(TokenType.normal);
  for (const t of json.added_tokens ?? []) {
    if (tokens[t.id] !== undefined && tokens[t.id] !== t.content)
      refuse(
        `added token ${t.id} is ${JSON.stringify(t.content)}, the vocabulary says ${JSON.stringify(tokens[t.id])}`,
      );
    tokens[t.id] = t.content;
    // Control, not user-defined: llama.cpp and GgufTokenizer.encode leave a control token's text in
    // code as text, as the recipe's own tokenizer did when it made the training data.
    tokenType[t.id] = t.special ? TokenType.control : TokenType.userDefined;
  }
  const hole = tokens.findIndex((t) => t === undefined);
  if (hole >= 0) refuse(`no token has id ${hole}`);
  const merges = model!.merges!.map((m) => (typeof m === 'string' ? m : m.join(' ')));
  const idOf = (text: string) =>
    vocab[text] ?? json.added_tokens?.find((t) => t.content === text)?.id;
  const eos = idOf('<|endoftext|>');
  const out: GgufVocab = {
    model: 'gpt2',
    pre,
    tokens: tokens as string[],
    tokenType,
    merges,
    addBos: false,
  };
  const ids: Partial<GgufVocab> = {
    bosId: eos,
    eosId: eos,
    padId: idOf('<|fim_pad|>'),
    fimPreId: idOf('<|fim_prefix|>'),
    fimSufId: idOf('<|fim_suffix|>'),
    fimMidId: idOf('<|fim_middle|>'),
    fimSepId: idOf('<|file_sep|>'),
  };
  for (const [k, v] of Object.entries(ids))
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

/** The regex of a `Sequence[Split(regex, Isolated), ByteLevel(use_regex: false)]` pre-tokenizer. */
function splitPattern(json: TokenizerJson): string | undefined {
  const seq = json.pre_tokenizer;
  if (seq?.type !== 'Sequence' || seq.pretokenizers?.length !== 2) return undefined;
  const [split, bytes] = seq.pretokenizers as [Record<string, unknown>, Record<string, unknown>];
  const pattern = (split.pattern as { Regex?: unknown } | undefined)?.Regex;
  if (split.type !== 'Split' || split.behavior !== 'Isolated' || split.invert !== false)
    return undefined;
  if (bytes.type !== 'ByteLevel' || bytes.use_regex !== false || bytes.add_prefix_space !== false)
    return undefined;
  return typeof pattern === 'string' ? pattern : undefined;
}
