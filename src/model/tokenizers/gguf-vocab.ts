// The tokenizer part of a GGUF file's metadata as a plain object, so tokenizers don't depend on a file reader.

import { TokenizerError } from './tokenizer-errors';

/** tokenizer.ggml.token_type values (llama.cpp's llama_token_type). */
export const TokenType = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;

export interface GgufVocab {
  /** tokenizer.ggml.model: 'gpt2' (byte-level BPE) or 'llama' (SentencePiece). */
  model: string;
  /** tokenizer.ggml.pre: names the pre-tokenizer split regexes; absent means llama.cpp's default. */
  pre?: string;
  tokens: readonly string[];
  tokenType?: readonly number[];
  /** "left right" pairs, best first (gpt2 only). */
  merges?: readonly string[];
  scores?: readonly number[];
  bosId?: number;
  eosId?: number;
  unkId?: number;
  padId?: number;
  addBos?: boolean;
  addSpacePrefix?: boolean;
  fimPreId?: number;
  fimSufId?: number;
  fimMidId?: number;
  fimPadId?: number;
  fimRepId?: number;
  fimSepId?: number;
}

function num(meta: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const v = meta[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

function strings(meta: Readonly<Record<string, unknown>>, key: string): string[] | undefined {
  const v = meta[key];
  return Array.isArray(v) ? v.map(String) : undefined;
}

function numbers(meta: Readonly<Record<string, unknown>>, key: string): number[] | undefined {
  const v = meta[key];
  return Array.isArray(v) ? v.map(Number) : undefined;
}

/** Picks the tokenizer keys out of a GGUF metadata map (key → value, arrays as JS arrays). */
export function vocabFromMetadata(meta: Readonly<Record<string, unknown>>): GgufVocab {
  const model = meta['tokenizer.ggml.model'];
  const tokens = strings(meta, 'tokenizer.ggml.tokens');
  if (typeof model !== 'string' || !tokens) {
    throw new TokenizerError('GGUF metadata has no tokenizer.ggml.model or tokenizer.ggml.tokens');
  }
  const pre = meta['tokenizer.ggml.pre'];
  const bool = (key: string) => (typeof meta[key] === 'boolean' ? meta[key] : undefined);
  const vocab: GgufVocab = { model, tokens };
  const optional: Partial<GgufVocab> = {
    pre: typeof pre === 'string' ? pre : undefined,
    tokenType: numbers(meta, 'tokenizer.ggml.token_type'),
    merges: strings(meta, 'tokenizer.ggml.merges'),
    scores: numbers(meta, 'tokenizer.ggml.scores'),
    bosId: num(meta, 'tokenizer.ggml.bos_token_id'),
    eosId: num(meta, 'tokenizer.ggml.eos_token_id'),
    unkId: num(meta, 'tokenizer.ggml.unknown_token_id'),
    padId: num(meta, 'tokenizer.ggml.padding_token_id'),
    addBos: bool('tokenizer.ggml.add_bos_token'),
    addSpacePrefix: bool('tokenizer.ggml.add_space_prefix'),
    fimPreId: num(meta, 'tokenizer.ggml.fim_pre_token_id'),
    fimSufId: num(meta, 'tokenizer.ggml.fim_suf_token_id'),
    fimMidId: num(meta, 'tokenizer.ggml.fim_mid_token_id'),
    fimPadId: num(meta, 'tokenizer.ggml.fim_pad_token_id'),
    fimRepId: num(meta, 'tokenizer.ggml.fim_rep_token_id'),
    fimSepId: num(meta, 'tokenizer.ggml.fim_sep_token_id'),
  };
  for (const [k, v] of Object.entries(optional)) {
    if (v !== undefined) (vocab as unknown as Record<string, unknown>)[k] = v;
  }
  return vocab;
}
