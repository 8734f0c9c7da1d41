// Builds the contract-v3 decoder graph (models/README.md: same inputs, outputs and layouts as v2, the KV
// cache as float32 or float16) from a DecoderSpec and GGUF-named weights, and writes it as model.onnx
// (and model-kv16.onnx) + model.onnx.data.

import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KV_GRAPH_FILES, type KvType } from '../kv-type';
import { attention, attentionShared } from './decoder-attention';
import { addNorm, mlp, norm } from './decoder-layers';
import { linear, matMulNBits, need, type LayerContext } from './decoder-linear';
import {
  checkDecoderSpec,
  WeightShapeError,
  type DecoderSpec,
  type NBitsWeight,
  type WeightSource,
} from './decoder-spec';
import { OnnxGraphBuilder, type ExternalData } from './onnx-graph';

export const GRAPH_CONTRACT_VERSION = 3;
export const DEFAULT_DATA_FILE = 'model.onnx.data';

export interface DecoderGraphOptions {
  /** MatMulNBits accuracy_level; default 4 (int8 activations on the CPU). */
  accuracyLevel?: number;
  /** External-data file name, relative to model.onnx; default model.onnx.data. */
  dataLocation?: string;
  /**
   * Element type of past_key_values.* and present.* (default float32). The weights, and so the external
   * data, are the same for both: only the KV boundary changes (a Cast after each past input and before
   * each present output).
   */
  kvType?: KvType;
}

export interface DecoderGraph {
  model: Uint8Array; // ModelProto, initializers pointing into externalData
  externalData: ExternalData;
  kvType: KvType;
}

/** Graphs written together must point into one external-data file laid out the same way. */
export class ExternalDataMismatchError extends Error {
  override readonly name = 'ExternalDataMismatchError';
}

/** The decoder graph; weights go to the external data, never into the protobuf. */
export function buildDecoderGraph(
  spec: DecoderSpec,
  weights: WeightSource,
  options: DecoderGraphOptions = {},
): DecoderGraph {
  checkDecoderSpec(spec);
  const b = new OnnxGraphBuilder(options.dataLocation ?? DEFAULT_DATA_FILE);
  const kvType = options.kvType ?? 'float32';
  const ctx: LayerContext = { b, spec, weights, accuracyLevel: options.accuracyLevel ?? 4, kvType };
  const { nLayers, nKvHeads: kv, headDim: hd, vocabSize } = spec;
  const kvElem = kvType === 'float16' ? 'float16' : 'float';
  b.input('input_ids', 'int64', [1, 'sequence']);
  b.input('rope_cos_q', 'float', [1, 'sequence', hd / 2]);
  b.input('rope_sin_q', 'float', [1, 'sequence', hd / 2]);
  b.input('attention_scale', 'float', [nLayers, 1, 'sequence']);
  b.input('logits_indices', 'int64', ['kept']);
  for (let i = 0; i < nLayers; i++) {
    b.input(`past_key_values.${i}.key`, kvElem, [1, 'past', kv, hd]);
    b.input(`past_key_values.${i}.value`, kvElem, [1, 'past', kv, hd]);
  }
  b.output('logits', 'float', [1, 'kept', vocabSize]);
  for (let i = 0; i < nLayers; i++) {
    b.output(`present.${i}.key`, kvElem, [1, 'sequence', kv, hd]);
    b.output(`present.${i}.value`, kvElem, [1, 'sequence', kv, hd]);
  }

  const ids = b.op1('Reshape', ['input_ids', b.constInt64([-1])]); // [S]
  let x = embed(ctx, ids); // [S, D]
  // Gemma scales its embeddings by √D (fp32, as llama.cpp; Hugging Face rounds √D to the model's dtype).
  if (spec.architecture === 'gemma') x = b.op1('Mul', [x, b.constFloat([Math.sqrt(spec.dim)], [])]);
  const shared = attentionShared(ctx);
  // Each residual add is fused with the norm after it; the last layer's joins the output norm.
  let h = norm(ctx, x, 'blk.0.attn_norm');
  let delta = '';
  for (let i = 0; i < nLayers; i++) {
    [h, x] = addNorm(ctx, x, attention(ctx, h, i, shared), `blk.${i}.ffn_norm`);
    delta = mlp(ctx, h, i);
    if (i + 1 < nLayers) [h, x] = addNorm(ctx, x, delta, `blk.${i + 1}.attn_norm`);
  }
  // Logits only where asked: [K, D].
  const keptX = b.op1('Gather', [x, 'logits_indices'], { axis: 0 });
  const keptDelta = b.op1('Gather', [delta, 'logits_indices'], { axis: 0 });
  const [hOut] = addNorm(ctx, keptX, keptDelta, 'output_norm');
  const logits = outputHead(ctx, hOut); // [K, V]
  b.op('Unsqueeze', [logits, b.constInt64([0])], {}, { outputs: ['logits'] }); // [1, K, V]

  const graph = b.finish(
    'ropewalk-decoder',
    { '': 17, 'com.microsoft': 1 },
    {
      'ropewalk.contract': String(GRAPH_CONTRACT_VERSION),
      'ropewalk.config': JSON.stringify(graphConfig(spec, kvType)),
    },
  );
  return { ...graph, kvType };
}

/** The config the graph carries, in the model card's snake_case, with the KV cache's element type. */
export function graphConfig(
  spec: DecoderSpec,
  kvType: KvType = 'float32',
): Record<string, unknown> {
  return {
    architecture: spec.architecture,
    vocab_size: spec.vocabSize,
    dim: spec.dim,
    n_layers: spec.nLayers,
    n_heads: spec.nHeads,
    n_kv_heads: spec.nKvHeads,
    head_dim: spec.headDim,
    ffn_dim: spec.ffnDim,
    norm_eps: spec.normEps,
    rope_theta: spec.ropeTheta,
    train_len: spec.trainLength,
    tie_embeddings: spec.tiedEmbeddings,
    kv_dtype: kvType,
  };
}

/** ids [S] → embeddings [S, D]: Gather on a float table, GatherBlockQuantized on a quantized one. */
function embed(ctx: LayerContext, ids: string): string {
  const { spec, b } = ctx;
  const name = 'token_embd.weight';
  const w = need(ctx, name);
  if (w.kind === 'float') {
    if (w.dims[0] !== spec.vocabSize || w.dims[1] !== spec.dim)
      throw new WeightShapeError(
        name,
        `float [${spec.vocabSize}, ${spec.dim}]`,
        `[${w.dims.join(', ')}]`,
      );
    const table = b.weight(name, 'float', [spec.vocabSize, spec.dim], w.data); // [V, D]
    return b.op1('Gather', [table, ids], { axis: 0 });
  }
  if (w.N !== spec.vocabSize || w.K !== spec.dim || w.K % w.blockSize !== 0)
    throw new WeightShapeError(name, `[${spec.vocabSize}, ${spec.dim}]`, `[${w.N}, ${w.K}]`);
  // onnxruntime 1.30's CPU GatherBlockQuantized reads MatMulNBits' bytes as they are (checked for
  // 4 and 8 bits): the tied head and the lookup share one quantized table.
  const blocks = w.K / w.blockSize;
  const inputs = [
    b.weight(`${name}.packed`, 'uint8', [w.N, blocks, (w.blockSize * w.bits) / 8], w.packed),
    b.weight(`${name}.scales`, 'float', [w.N * blocks], w.scales),
  ];
  if (w.zeroPoints instanceof Float32Array || w.offsets) {
    // Float zero points and offsets are MatMulNBits-only: expand this table to floats.
    const table = b.weight(`${name}.float`, 'float', [w.N, w.K], dequantize(w));
    return b.op1('Gather', [table, ids], { axis: 0 });
  }
  const packed = b.op1('Reshape', [inputs[0] as string, b.constInt64([w.N, (w.K * w.bits) / 8])]);
  const scales = b.op1('Reshape', [inputs[1] as string, b.constInt64([w.N, blocks])]); // [V, D/bs]
  const gbq = [packed, ids, scales];
  if (w.zeroPoints) {
    const zp = b.weight(`${name}.zero_points`, 'uint8', [w.zeroPoints.length], w.zeroPoints);
    gbq.push(b.op1('Reshape', [zp, b.constInt64([w.N, -1])]));
  }
  const attrs = { gather_axis: 0, quantize_axis: 1, block_size: w.blockSize, bits: w.bits };
  return b.op1('GatherBlockQuantized', gbq, attrs, 'com.microsoft'); // [S, D]
}

/** h [K, D] → logits [K, V]: the tied head reads the embedding table itself (Gemm transB), no copy. */
function outputHead(ctx: LayerContext, h: string): string {
  const { spec, b } = ctx;
  if (!spec.tiedEmbeddings) return linear(ctx, h, 'output', spec.vocabSize, spec.dim);
  const w = need(ctx, 'token_embd.weight');
  if (w.kind === 'nbits')
    return matMulNBits(ctx, h, 'token_embd.weight', w, spec.vocabSize, spec.dim);
  const table = b.weight('token_embd.weight', 'float', [spec.vocabSize, spec.dim], w.data);
  return b.op1('Gemm', [h, table], { transB: 1 });
}

/** Expands a block-quantized weight to floats [N, K]. */
export function dequantize(w: NBitsWeight): Float32Array {
  const blocks = Math.ceil(w.K / w.blockSize);
  const rowBytes = (blocks * w.blockSize * w.bits) / 8;
  const zpRowBytes = Math.ceil((blocks * w.bits) / 8);
  const out = new Float32Array(w.N * w.K);
  const mid = 1 << (w.bits - 1);
  for (let n = 0; n < w.N; n++) {
    for (let k = 0; k < w.K; k++) {
      const blk = Math.floor(k / w.blockSize);
      let q: number;
      if (w.bits === 8) q = w.packed[n * rowBytes + k] as number;
      else {
        const byte = w.packed[n * rowBytes + (k >> 1)] as number;
        q = k & 1 ? byte >> 4 : byte & 15;
      }
      let zero: number = mid;
      if (w.zeroPoints instanceof Float32Array) zero = w.zeroPoints[n * blocks + blk] as number;
      else if (w.zeroPoints) {
        const byte = w.zeroPoints[n * zpRowBytes + ((blk * w.bits) >> 3)] as number;
        zero = w.bits === 8 ? byte : blk & 1 ? byte >> 4 : byte & 15;
      }
      out[n * w.K + k] =
        (q - zero) * (w.scales[n * blocks + blk] as number) - (w.offsets?.[n * blocks + blk] ?? 0);
    }
  }
  return out;
}

/**
 * Writes each graph as its KV type's file (model.onnx, model-kv16.onnx) and their external data once,
 * beside them: the graphs of one build (same weights, same order) lay it out identically, which is
 * checked, so that each graph's offsets are right for the one file.
 */
export async function writeDecoderModel(
  dir: string,
  graph: DecoderGraph,
  ...others: DecoderGraph[]
): Promise<void> {
  const data = graph.externalData;
  for (const other of others) {
    const d = other.externalData;
    if (
      d.location !== data.location ||
      d.length !== data.length ||
      d.chunks.length !== data.chunks.length ||
      d.chunks.some((c, i) => c.byteLength !== data.chunks[i]?.byteLength)
    )
      throw new ExternalDataMismatchError(
        `the ${other.kvType}-KV graph lays out its external data differently from the ${graph.kvType}-KV graph`,
      );
  }
  const kinds = [graph, ...others].map((g) => g.kvType);
  if (new Set(kinds).size !== kinds.length)
    throw new ExternalDataMismatchError(`two graphs for one KV type: ${kinds.join(', ')}`);
  for (const g of [graph, ...others]) await writeFile(join(dir, KV_GRAPH_FILES[g.kvType]), g.model);
  const out = createWriteStream(join(dir, data.location));
  for (const chunk of data.chunks) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(resolve);
  });
}
