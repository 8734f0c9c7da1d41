// Text ↔ token ids for a contract-2 folder's tokenizer.json, through @huggingface/tokenizers (pure JS, no native code).

import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { CorruptModelError } from './errors';

export const SPECIAL_TOKENS = [
  '<|endoftext|>',
  '<|fim_prefix|>',
  '<|fim_middle|>',
  '<|fim_suffix|>',
  '<|fim_pad|>',
  '<|file_sep|>',
  '<|repo_name|>',
] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

export class TextTokenizer {
  private constructor(
    private readonly inner: Tokenizer,
    readonly special: Record<SpecialToken, number>,
  ) {}

  static load(path: string): TextTokenizer {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (cause) {
      throw new CorruptModelError(path, 'tokenizer.json is unreadable', { cause });
    }
    // Without its special added tokens: @huggingface/tokenizers would match `<|endoftext|>` written in code
    // as the special token, where the recipe's tokenizer (which made the training data) and the GGUF
    // tokenizer keep it as text. The specials stay in the vocabulary, so their ids still decode.
    const added = (json.added_tokens as { special?: boolean }[] | undefined) ?? [];
    const inner = new Tokenizer({ ...json, added_tokens: added.filter((t) => !t.special) }, {});
    const vocab = (json.model as { vocab?: Record<string, number> } | undefined)?.vocab ?? {};
    const special = {} as Record<SpecialToken, number>;
    for (const s of SPECIAL_TOKENS) {
      const id = vocab[s];
      if (id === undefined) throw new CorruptModelError(path, `special token ${s} is missing`);
      special[s] = id;
    }
    return new TextTokenizer(inner, special);
  }

  /** Ids of plain text: special-token strings inside code are not treated as special here. */
  encode(text: string): number[] {
    return this.inner.encode(text, { add_special_tokens: false }).ids;
  }

  /** Byte-level BPE has no leading-space rule: continuing text encodes as any text. */
  encodeContinuation(text: string): number[] {
    return this.encode(text);
  }

  /** The id of a special token (the only single tokens the prompt templates look up). */
  tokenId(text: string): number | undefined {
    return (this.special as Record<string, number>)[text];
  }

  decode(ids: number[]): string {
    return this.inner.decode(ids, {
      skip_special_tokens: false,
      clean_up_tokenization_spaces: false,
    });
  }
}
