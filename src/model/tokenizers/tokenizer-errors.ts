// Named errors of the GGUF tokenizers.

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

/** The vocabulary names a tokenizer model or pre-tokenizer this code does not implement. */
export class UnsupportedTokenizerError extends TokenizerError {
  override name = 'UnsupportedTokenizerError';
}
