// The GGUF tokenizers' public face.

export { GgufTokenizer } from './gguf-tokenizer';
export { TokenType, vocabFromMetadata, type GgufVocab } from './gguf-vocab';
export { PRE_TOKENIZER_NAMES, preTokenizerFor, type PreTokenizer } from './pre-tokenizers';
export type { Tokenizer } from './tokenizer';
export { TokenizerError, UnsupportedTokenizerError } from './tokenizer-errors';
