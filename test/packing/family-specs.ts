// Each model family's vocabulary layout (special tokens at the ids its tokenizer gives them), shared by
// the template tests, the context-parity test and the end-to-end models; the words are the caller's.

import type { FamilyVocabSpec } from './family-vocab';

export type FamilyVocabLayout = Omit<FamilyVocabSpec, 'words'>;

// Qwen2.5-Coder's added tokens at their ids (151643 <|endoftext|> … 151664 <|file_sep|>), as the
// eos_token_ids of its examples name them.
export const QWEN: FamilyVocabLayout = {
  model: 'gpt2',
  pre: 'qwen2',
  size: 151665,
  specials: {
    151643: '<|endoftext|>',
    151644: '<|im_start|>',
    151645: '<|im_end|>',
    151659: '<|fim_prefix|>',
    151660: '<|fim_middle|>',
    151661: '<|fim_suffix|>',
    151662: '<|fim_pad|>',
    151663: '<|repo_name|>',
    151664: '<|file_sep|>',
  },
  bos: 151643,
  eos: 151643,
  addBos: false,
};

// StarCoder2's first special tokens (llama.cpp's models/ggml-vocab-starcoder.gguf).
export const STARCODER2: FamilyVocabLayout = {
  model: 'gpt2',
  pre: 'starcoder',
  size: 900,
  specials: {
    800: '<|endoftext|>',
    801: '<fim_prefix>',
    802: '<fim_middle>',
    803: '<fim_suffix>',
    804: '<fim_pad>',
    805: '<repo_name>',
    806: '<file_sep>',
    807: '<issue_start>',
  },
  bos: 800,
  eos: 800,
};

// DeepSeek-Coder's added tokens at their ids (llama.cpp's models/ggml-vocab-deepseek-coder.gguf): the
// FIM markers and <|EOT|> are user-defined tokens, BOS/EOS control, and the file asks for BOS.
export const DEEPSEEK: FamilyVocabLayout = {
  model: 'gpt2',
  pre: 'deepseek-coder',
  size: 32256,
  specials: {
    32013: '<｜begin▁of▁sentence｜>',
    32014: '<｜end▁of▁sentence｜>',
    32015: ['<｜fim▁hole｜>', 4],
    32016: ['<｜fim▁begin｜>', 4],
    32017: ['<｜fim▁end｜>', 4],
    32018: ['<pad>', 4],
    32021: ['<|EOT|>', 4],
  },
  bos: 32013,
  eos: 32014,
  addBos: true,
};

// Code Llama: Llama 2's SentencePiece vocabulary (<unk> 0, <s> 1, </s> 2, byte tokens) and its infilling
// tokens at the ids its tokenizer gives them (▁<PRE> 32007, ▁<SUF> 32008, ▁<MID> 32009, ▁<EOT> 32010).
export const CODELLAMA: FamilyVocabLayout = {
  model: 'llama',
  pre: 'default',
  size: 32016,
  lead: [
    ['<unk>', 2],
    ['<s>', 3],
    ['</s>', 3],
  ],
  specials: { 32007: '▁<PRE>', 32008: '▁<SUF>', 32009: '▁<MID>', 32010: '▁<EOT>' },
  bos: 1,
  eos: 2,
  addBos: true,
};

// CodeGemma: Gemma's SentencePiece vocabulary without the leading space (<pad> 0, <eos> 1, <bos> 2),
// the FIM tokens and the file separator as user-defined tokens.
export const CODEGEMMA: FamilyVocabLayout = {
  model: 'llama',
  pre: 'default',
  size: 1200,
  lead: [
    ['<pad>', 3],
    ['<eos>', 3],
    ['<bos>', 3],
    ['<unk>', 2],
  ],
  specials: {
    1000: ['<|fim_prefix|>', 4],
    1001: ['<|fim_middle|>', 4],
    1002: ['<|fim_suffix|>', 4],
    1003: ['<|file_separator|>', 4],
    1004: '<start_of_turn>',
    1005: '<end_of_turn>',
  },
  bos: 2,
  eos: 1,
  addBos: true,
  addSpacePrefix: false,
};

/** The families with a template of their own besides Ropewalk's, by template family name. */
export const FAMILY_VOCABS = {
  'qwen2.5-coder': QWEN,
  starcoder2: STARCODER2,
  'deepseek-coder': DEEPSEEK,
  codellama: CODELLAMA,
  codegemma: CODEGEMMA,
} as const satisfies Record<string, FamilyVocabLayout>;

/** Words for a vocabulary to learn: every word of the texts, with its leading space. */
export function wordsOf(texts: readonly string[]): string[] {
  return [...new Set(texts.join('\n').match(/ ?[A-Za-z_]+/g) ?? [])];
}
