// Small GGUF vocabularies in each model family's layout, written to a file at test time with the GGUF
// writer and read back the way an imported model's vocabulary is (vocabFromMetadata → GgufTokenizer):
// byte tokens, a few merged pieces learned from the words of the test's code, and the family's special
// tokens at the ids its tokenizer gives them, the gaps filled with unused `[PADn]` tokens as converters do.

import { join } from 'node:path';
import { readGguf } from '../../src/model/gguf/gguf-file';
import type { GgufValue } from '../../src/model/gguf/gguf-values';
import { writeGguf } from '../../src/model/gguf/gguf-writer';
import { plainMetadata } from '../../src/model/gguf-import/gguf-metadata';
import { byteChar } from '../../src/model/tokenizers/byte-encoding';
import { GgufTokenizer, TokenType, vocabFromMetadata } from '../../src/model/tokenizers/index';
import { promptTokenizer, type PromptTokenizer } from '../../src/model/tokenizers/load-tokenizer';

export interface FamilyVocabSpec {
  /** tokenizer.ggml.model: byte-level BPE or SentencePiece. */
  model: 'gpt2' | 'llama';
  pre: string;
  size: number;
  /** id → token text, with its token type (control unless given). */
  specials: Record<number, string | [string, number]>;
  bos?: number;
  eos?: number;
  addBos?: boolean;
  addSpacePrefix?: boolean;
  /** Extra metadata (tokenizer.ggml.fim_*_token_id, …). */
  keys?: Record<string, number>;
  /** Words whose pieces the vocabulary learns (merges for BPE, scored pieces for SentencePiece). */
  words: string[];
  /** SentencePiece's first tokens, before the byte tokens (default `<unk>`). */
  lead?: [string, number][];
}

const SPACE_MARK = '\u2581';

function pieces(spec: FamilyVocabSpec): {
  tokens: string[];
  types: number[];
  merges: string[];
  scores: number[];
} {
  const tokens: string[] = [];
  const types: number[] = [];
  const scores: number[] = [];
  const merges: string[] = [];
  const add = (t: string, type: number = TokenType.normal, score = 0) => {
    tokens.push(t);
    types.push(type);
    scores.push(score);
  };
  if (spec.model === 'gpt2') {
    for (let b = 0; b < 256; b++) add(byteChar(b));
    // Left-to-right merges of each word ("Ġreturn": Ġr, Ġre, …), in the order words are given.
    const seen = new Set(tokens);
    for (const w of spec.words) {
      const chars = Array.from(w.replaceAll(' ', byteChar(32)));
      let left = chars[0] as string;
      for (const c of chars.slice(1)) {
        const merged = left + c;
        if (!seen.has(merged)) {
          merges.push(`${left} ${c}`);
          add(merged);
          seen.add(merged);
        }
        left = merged;
      }
    }
  } else {
    for (const [t, type] of spec.lead ?? [['<unk>', TokenType.unknown]]) add(t, type);
    for (let b = 0; b < 256; b++)
      add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, TokenType.byte);
    // Every prefix of each word, with and without the space mark; longer pieces score higher.
    const seen = new Set(tokens);
    for (const w of spec.words.map((x) => x.trim()))
      for (const form of [w, SPACE_MARK + w])
        for (let n = 1; n <= form.length; n++) {
          const p = form.slice(0, n);
          if (!seen.has(p)) {
            add(p, TokenType.normal, n - 100);
            seen.add(p);
          }
        }
  }
  return { tokens, types, merges, scores };
}

/**
 * The vocabulary's GGUF metadata (tokenizer.ggml.*, and general.architecture from the model type).
 * `compact`: the special tokens renumbered to follow the learned ones, their order kept, so that a
 * model with weights stays small (templates find markers by their text, not their ids).
 */
export function familyVocabMetadata(
  name: string,
  given: FamilyVocabSpec,
  options: { compact?: boolean } = {},
): Array<[string, GgufValue]> {
  const base = pieces(given);
  const spec = options.compact ? compacted(given, base.tokens.length) : given;
  const specialIds = Object.keys(spec.specials).map(Number);
  const firstSpecial = Math.min(...specialIds);
  if (base.tokens.length > firstSpecial)
    throw new Error(
      `${name}: ${base.tokens.length} learned tokens run into special id ${firstSpecial}`,
    );
  const tokens = [...base.tokens];
  const types = [...base.types];
  const scores = [...base.scores];
  for (let id = tokens.length; id < spec.size; id++) {
    const s = spec.specials[id];
    if (s === undefined) {
      tokens.push(`[PAD${id}]`);
      types.push(TokenType.unused);
    } else {
      const [text, type] = typeof s === 'string' ? [s, TokenType.control] : s;
      tokens.push(text);
      types.push(type);
    }
    scores.push(0);
  }
  const str = (value: string): GgufValue => ({ type: 'string', value });
  const u32 = (value: number): GgufValue => ({ type: 'u32', value });
  const bool = (value: boolean): GgufValue => ({ type: 'bool', value });
  const metadata: Array<[string, GgufValue]> = [
    ['general.architecture', str(spec.model === 'gpt2' ? 'qwen2' : 'llama')],
    ['tokenizer.ggml.model', str(spec.model)],
    ['tokenizer.ggml.pre', str(spec.pre)],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: tokens }],
    [
      'tokenizer.ggml.token_type',
      { type: 'array', itemType: 'i32', value: Int32Array.from(types) },
    ],
  ];
  if (spec.model === 'gpt2')
    metadata.push([
      'tokenizer.ggml.merges',
      { type: 'array', itemType: 'string', value: base.merges },
    ]);
  else
    metadata.push([
      'tokenizer.ggml.scores',
      { type: 'array', itemType: 'f32', value: Float32Array.from(scores) },
    ]);
  if (spec.bos !== undefined) metadata.push(['tokenizer.ggml.bos_token_id', u32(spec.bos)]);
  if (spec.eos !== undefined) metadata.push(['tokenizer.ggml.eos_token_id', u32(spec.eos)]);
  if (spec.addBos !== undefined) metadata.push(['tokenizer.ggml.add_bos_token', bool(spec.addBos)]);
  if (spec.addSpacePrefix !== undefined)
    metadata.push(['tokenizer.ggml.add_space_prefix', bool(spec.addSpacePrefix)]);
  for (const [k, v] of Object.entries(spec.keys ?? {})) metadata.push([k, u32(v)]);
  return metadata;
}

/** The spec with its special tokens at `first`, `first + 1`, … and every id that named one moved along. */
function compacted(spec: FamilyVocabSpec, first: number): FamilyVocabSpec {
  const moved = new Map(
    Object.keys(spec.specials)
      .map(Number)
      .sort((a, b) => a - b)
      .map((id, i) => [id, first + i]),
  );
  const at = (id: number | undefined) => (id === undefined ? undefined : (moved.get(id) ?? id));
  return {
    ...spec,
    size: first + moved.size,
    specials: Object.fromEntries(
      Object.entries(spec.specials).map(([id, s]) => [moved.get(Number(id)), s]),
    ),
    bos: at(spec.bos),
    eos: at(spec.eos),
    keys: Object.fromEntries(
      Object.entries(spec.keys ?? {}).map(([k, id]) => [k, at(id) as number]),
    ),
  };
}

/** Writes the vocabulary as a GGUF file under dir and loads it as an imported model's tokenizer. */
export async function familyTokenizer(
  dir: string,
  name: string,
  spec: FamilyVocabSpec,
  options: { compact?: boolean } = {},
): Promise<PromptTokenizer> {
  const path = join(dir, `${name}.gguf`);
  writeGguf(path, { metadata: familyVocabMetadata(name, spec, options), tensors: [] });
  const vocab = vocabFromMetadata(plainMetadata(await readGguf(path)));
  return promptTokenizer(new GgufTokenizer(vocab));
}
