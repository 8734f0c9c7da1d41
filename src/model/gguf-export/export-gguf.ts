// A contract-2 model folder (model.onnx, tokenizer.json, model-card.json) as one llama-architecture GGUF
// file: F32 or Q8_0 weights, llama.cpp's llama.* and tokenizer.ggml.* keys, and the model card as
// ropewalk.card. Ropewalk then loads its own models the way it loads any GGUF file (gguf-import/import-gguf.ts).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGolden } from '../golden';
import { Q8_0_GOLDEN_TOLERANCE, type QuantizedGoldenTolerance } from '../golden-tolerance';
import { GRAPH_CONTRACT_VERSION } from '../graph/decoder-graph';
import type { FloatWeight } from '../graph/decoder-spec';
import { GGML_TYPES, ggmlType, quantize, type GgmlTypeName } from '../gguf/ggml-types';
import { writeGguf, type GgufTensorToWrite } from '../gguf/gguf-writer';
import type { GgufValue } from '../gguf/gguf-values';
import { permuteRows } from '../gguf-import/unpermute';
import { GGUF_CARD_KEY, headDim, readModelFiles, type ModelCard } from '../model-card';
import { GgufTokenizer } from '../tokenizers/gguf-tokenizer';
import type { GgufVocab } from '../tokenizers/gguf-vocab';
import { readTorchOnnxWeights } from './torch-onnx-weights';
import { vocabFromTokenizerJson } from './tokenizer-json-vocab';

interface ExportType {
  /** The ggml type of the 2-D weight matrices (the tied embedding included); norms stay F32. */
  matrices: GgmlTypeName;
  /** llama.cpp's general.file_type: LLAMA_FTYPE_ALL_F32 = 0, LLAMA_FTYPE_MOSTLY_Q8_0 = 7. */
  fileType: number;
  /** What the card says golden replay of such weights must meet (float weights: golden.json's 1e-4). */
  goldenTolerance?: QuantizedGoldenTolerance;
}

/** The weight types `export-gguf --type` writes. */
export const GGUF_EXPORT_TYPES = {
  f32: { matrices: 'F32', fileType: 0 },
  q8_0: { matrices: 'Q8_0', fileType: 7, goldenTolerance: Q8_0_GOLDEN_TOLERANCE },
} as const satisfies Record<string, ExportType>;

export type GgufExportType = keyof typeof GGUF_EXPORT_TYPES;
export const GGUF_EXPORT_TYPE_NAMES = Object.keys(GGUF_EXPORT_TYPES) as GgufExportType[];

export class GgufExportError extends Error {
  override readonly name = 'GgufExportError';
  constructor(
    readonly dir: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${dir} cannot be exported as GGUF: ${detail}`, options);
  }
}

export interface ExportedGguf {
  path: string;
  /** The card written as ropewalk.card (and what the folder's model-card.json should hold beside model.gguf). */
  card: ModelCard;
  tensors: number;
  parameters: number;
  /** tokenizer.ggml.pre */
  pre: string;
  /** Golden texts whose ids the GGUF tokenizer reproduced (0 when the folder has no golden.json). */
  tokenizerCasesChecked: number;
  /** ggml type name → tensors written as that type, e.g. { Q8_0: 29, F32: 9 }. */
  weightTypes: Record<string, number>;
}

const u32 = (value: number): GgufValue => ({ type: 'u32', value });
const f32 = (value: number): GgufValue => ({ type: 'f32', value });
const str = (value: string): GgufValue => ({ type: 'string', value });

/** Writes `out` from the contract-2 folder `dir` with `type`'s weights; the folder is only read. */
export function exportGguf(dir: string, out: string, type: GgufExportType = 'f32'): ExportedGguf {
  const as: ExportType = GGUF_EXPORT_TYPES[type];
  const files = readModelFiles(dir);
  const { card } = files;
  if (card.contract !== 2 || !files.tokenizer.endsWith('tokenizer.json'))
    throw new GgufExportError(dir, `it is not a contract-2 folder (contract ${card.contract})`);
  const cfg = card.config;
  const hd = headDim(cfg);
  const weights = readTorchOnnxWeights(files.onnx, cfg.n_layers);
  const vocab = vocabFromTokenizerJson(
    JSON.parse(readFileSync(files.tokenizer, 'utf8')) as unknown,
    files.tokenizer,
  );
  if (vocab.tokens.length !== cfg.vocab_size)
    throw new GgufExportError(
      dir,
      `tokenizer.json has ${vocab.tokens.length} tokens, the card says ${cfg.vocab_size}`,
    );
  const checked = checkTokenizer(dir, vocab);

  const tensors: GgufTensorToWrite[] = [];
  const add = (name: string, rowsPermutedBy?: number) => {
    const w = weights.get(name) as FloatWeight;
    let bytes = new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength);
    // ggml order: the fastest-varying dimension first ([K, N] for a [N, K] matrix).
    const dims = [...w.dims].reverse();
    // llama.cpp's converter interleaves each head's rotary pairs in Q and K; its readers (and Ropewalk's
    // importer, gguf-import/unpermute.ts) undo that, so the file is written the way they expect.
    if (rowsPermutedBy !== undefined)
      bytes = permuteRows(bytes, (dims[0] as number) * 4, rowsPermutedBy, hd);
    const type = weightType(as.matrices, dims);
    if (type !== 'F32') {
      // Blocks run along each row (K), so quantizing after the row permutation quantizes the same blocks.
      const rows = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      bytes = quantize(type, rows);
    }
    tensors.push({ name, dims, type: GGML_TYPES[type].id, data: bytes });
  };
  add('token_embd.weight');
  for (let i = 0; i < cfg.n_layers; i++) {
    const b = `blk.${i}.`;
    add(`${b}attn_norm.weight`);
    add(`${b}attn_q.weight`, cfg.n_heads);
    add(`${b}attn_k.weight`, cfg.n_kv_heads);
    add(`${b}attn_v.weight`);
    add(`${b}attn_output.weight`);
    add(`${b}ffn_norm.weight`);
    add(`${b}ffn_gate.weight`);
    add(`${b}ffn_up.weight`);
    add(`${b}ffn_down.weight`);
  }
  add('output_norm.weight');
  if (weights.has('output.weight')) add('output.weight');
  else if (cfg.tie_embeddings === false)
    throw new GgufExportError(dir, 'the card says the head is not tied, model.onnx has none');

  // The card's contract says what the engine runs: the graph it builds from this file. A tolerance left
  // by an earlier export is dropped: the bound belongs to the weights written now.
  const { goldenTolerance: _earlier, ...rest } = card;
  const exported: ModelCard = {
    ...rest,
    contract: GRAPH_CONTRACT_VERSION,
    ...(as.goldenTolerance && { goldenTolerance: as.goldenTolerance }),
  };
  writeGguf(out, {
    metadata: [
      ['general.architecture', str('llama')],
      ['general.name', str(card.name)],
      ['general.file_type', u32(as.fileType)],
      ...(typeof exported.license === 'string'
        ? [['general.license', str(exported.license)] as [string, GgufValue]]
        : []),
      ['llama.vocab_size', u32(cfg.vocab_size)],
      // The length the model was trained at: beyond it the runtime chooses a RoPE scaling method.
      ['llama.context_length', u32(cfg.train_len)],
      ['llama.embedding_length', u32(cfg.dim)],
      ['llama.block_count', u32(cfg.n_layers)],
      ['llama.feed_forward_length', u32(cfg.ffn_dim)],
      ['llama.attention.head_count', u32(cfg.n_heads)],
      ['llama.attention.head_count_kv', u32(cfg.n_kv_heads)],
      ['llama.attention.key_length', u32(hd)],
      ['llama.attention.value_length', u32(hd)],
      ['llama.rope.dimension_count', u32(hd)],
      ['llama.rope.freq_base', f32(cfg.rope_theta)],
      ['llama.attention.layer_norm_rms_epsilon', f32(cfg.norm_eps ?? 1e-5)],
      ...tokenizerMetadata(vocab),
      [GGUF_CARD_KEY, str(JSON.stringify(exported))],
    ],
    tensors,
  });
  return {
    path: out,
    card: exported,
    tensors: tensors.length,
    parameters: tensors.reduce((a, t) => a + t.dims.reduce((x, y) => x * y, 1), 0),
    pre: vocab.pre as string,
    tokenizerCasesChecked: checked,
    weightTypes: countTypes(tensors),
  };
}

/**
 * A matrix's type: `wanted` where its rows are whole 32-weight blocks, F32 otherwise (exact; tiny's
 * 176-wide ffn_down, say); vectors (the norms) are always F32, as llama.cpp's converter keeps them.
 */
function weightType(wanted: GgmlTypeName, dims: number[]): GgmlTypeName {
  if (dims.length < 2) return 'F32';
  return (dims[0] as number) % GGML_TYPES[wanted].blockSize === 0 ? wanted : 'F32';
}

function countTypes(tensors: GgufTensorToWrite[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of tensors) {
    const name = ggmlType(t.type)?.name ?? `type ${t.type}`;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

function tokenizerMetadata(vocab: GgufVocab): [string, GgufValue][] {
  const meta: [string, GgufValue][] = [
    ['tokenizer.ggml.model', str(vocab.model)],
    ['tokenizer.ggml.pre', str(vocab.pre as string)],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: [...vocab.tokens] }],
    [
      'tokenizer.ggml.token_type',
      { type: 'array', itemType: 'i32', value: Int32Array.from(vocab.tokenType ?? []) },
    ],
    [
      'tokenizer.ggml.merges',
      { type: 'array', itemType: 'string', value: [...(vocab.merges ?? [])] },
    ],
  ];
  const ids: [string, number | undefined][] = [
    ['tokenizer.ggml.bos_token_id', vocab.bosId],
    ['tokenizer.ggml.eos_token_id', vocab.eosId],
    ['tokenizer.ggml.padding_token_id', vocab.padId],
    ['tokenizer.ggml.fim_pre_token_id', vocab.fimPreId],
    ['tokenizer.ggml.fim_suf_token_id', vocab.fimSufId],
    ['tokenizer.ggml.fim_mid_token_id', vocab.fimMidId],
    ['tokenizer.ggml.fim_pad_token_id', vocab.padId],
    ['tokenizer.ggml.fim_rep_token_id', vocab.tokens.indexOf('<|repo_name|>')],
    ['tokenizer.ggml.fim_sep_token_id', vocab.fimSepId],
  ];
  for (const [key, id] of ids) if (id !== undefined && id >= 0) meta.push([key, u32(id)]);
  // Ropewalk's prompts never start with a BOS token; llama.cpp would add one unless told.
  meta.push(['tokenizer.ggml.add_bos_token', { type: 'bool', value: vocab.addBos ?? false }]);
  meta.push(['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }]);
  return meta;
}

/**
 * The GGUF tokenizer must give the ids the recipe's Python tokenizer gave (golden.json records them for
 * its snippet and its tokenizer cases): a vocabulary that splits differently is refused here rather than
 * found out as worse completions.
 */
function checkTokenizer(dir: string, vocab: GgufVocab): number {
  if (!existsSync(join(dir, 'golden.json'))) return 0;
  const golden = readGolden(dir);
  const tok = new GgufTokenizer(vocab);
  const cases = [...(golden.tokenizerCases ?? [])];
  for (const c of cases) {
    const got = tok.encode(c.text);
    if (got.join(' ') !== c.ids.join(' '))
      throw new GgufExportError(
        dir,
        `the GGUF tokenizer (pre ${vocab.pre}) encodes ${JSON.stringify(c.text)} as ${got.join(' ')}, the recipe's tokenizer as ${c.ids.join(' ')}`,
      );
  }
  if (golden.text !== undefined) {
    const got = tok.encode(golden.text).slice(0, golden.ids.length);
    if (got.join(' ') !== golden.ids.join(' '))
      throw new GgufExportError(dir, `the GGUF tokenizer encodes golden.json's text differently`);
  }
  return cases.length + (golden.text === undefined ? 0 : 1);
}
