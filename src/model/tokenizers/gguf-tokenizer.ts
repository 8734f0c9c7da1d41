// Text ↔ token ids from a GGUF vocabulary (byte-level BPE or SentencePiece), matching llama.cpp's tokenizer.

import { BpeModel } from './bpe-model';
import { pushTokenBytes } from './byte-encoding';
import { TokenType, type GgufVocab } from './gguf-vocab';
import { preTokenizerFor } from './pre-tokenizers';
import { splitOnSpecials, type SpecialToken } from './special-split';
import { SpmModel } from './spm-model';
import type { Tokenizer } from './tokenizer';
import { UnsupportedTokenizerError } from './tokenizer-errors';

const utf8 = new TextEncoder();
const SPACE_MARK = '\u2581';

export class GgufTokenizer implements Tokenizer {
  readonly special: Readonly<Record<string, number>>;
  private readonly ids = new Map<string, number>();
  private readonly types: readonly number[];
  /** Matched whole in plain text too, as llama.cpp (and Hugging Face) do for user-defined tokens. */
  private readonly userDefined: SpecialToken[];
  private readonly allSpecials: SpecialToken[];
  private readonly bpe?: BpeModel;
  private readonly spm?: SpmModel;
  private readonly addSpacePrefix: boolean;

  constructor(readonly vocab: GgufVocab) {
    const { tokens } = vocab;
    this.types = vocab.tokenType ?? tokens.map(() => TokenType.normal);
    // A later duplicate wins, as in llama.cpp's token_to_id map.
    tokens.forEach((t, id) => this.ids.set(t, id));
    const special: Record<string, number> = {};
    const all: SpecialToken[] = [];
    this.types.forEach((type, id) => {
      if (
        type === TokenType.control ||
        type === TokenType.userDefined ||
        type === TokenType.unknown
      ) {
        const text = tokens[id]!;
        all.push({ id, text });
        special[text] = id;
      }
    });
    const byLength = (a: SpecialToken, b: SpecialToken) =>
      utf8.encode(b.text).length - utf8.encode(a.text).length;
    this.allSpecials = all.filter((s) => s.text.length > 0).sort(byLength);
    this.userDefined = this.allSpecials.filter((s) => this.types[s.id] === TokenType.userDefined);
    this.special = special;
    if (vocab.model === 'gpt2') {
      this.bpe = new BpeModel(this.ids, vocab.merges ?? [], preTokenizerFor(vocab.pre));
    } else if (vocab.model === 'llama') {
      this.spm = new SpmModel(this.ids, vocab.scores ?? [], vocab.unkId);
    } else {
      throw new UnsupportedTokenizerError(`tokenizer model '${vocab.model}' is not implemented`);
    }
    this.addSpacePrefix = vocab.addSpacePrefix ?? vocab.model === 'llama';
  }

  /** Ids of plain text: control-token strings inside code stay text (llama.cpp's parse_special = false). */
  encode(text: string): number[] {
    return this.encodeFragments(text, this.userDefined);
  }

  /**
   * Ids of text that continues earlier text: no SentencePiece space prefix at its start (Code Llama's
   * encode_infilling). The same as encode for byte-level BPE.
   */
  encodeContinuation(text: string): number[] {
    return this.encodeFragments(text, this.userDefined, false);
  }

  /** Ids with every control and user-defined token string matched whole first (parse_special = true). */
  encodeWithSpecials(text: string): number[] {
    return this.encodeFragments(text, this.allSpecials);
  }

  private encodeFragments(
    text: string,
    specials: readonly SpecialToken[],
    atStart = true,
  ): number[] {
    const out: number[] = [];
    // SentencePiece prefixes a space to the text's start and after each special token.
    let afterSpecial = atStart;
    for (const f of splitOnSpecials(text, specials)) {
      if ('id' in f) {
        out.push(f.id);
        afterSpecial = true;
      } else if (this.bpe) {
        this.bpe.encode(f.text, out);
      } else {
        const prefixed = this.addSpacePrefix && afterSpecial ? ` ${f.text}` : f.text;
        this.spm!.encode(prefixed.replaceAll(' ', SPACE_MARK), out);
        afterSpecial = false;
      }
    }
    return out;
  }

  /** The text of ids, special tokens spelled out; bytes split across tokens are joined before decoding. */
  decode(ids: number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      const text = this.vocab.tokens[id];
      if (text === undefined) continue;
      const type = this.types[id];
      if (type === TokenType.control || type === TokenType.userDefined) {
        for (const b of utf8.encode(text)) bytes.push(b);
      } else if (this.bpe) {
        pushTokenBytes(text, bytes);
      } else if (type === TokenType.byte && /^<0x[0-9A-Fa-f]{2}>$/.test(text)) {
        bytes.push(parseInt(text.slice(3, 5), 16));
      } else {
        const shown = type === TokenType.unknown ? '\u2585' : text.replaceAll(SPACE_MARK, ' ');
        for (const b of utf8.encode(shown)) bytes.push(b);
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }

  /** The id of a token's exact text, if the vocabulary has it. */
  tokenId(text: string): number | undefined {
    return this.ids.get(text);
  }
}
