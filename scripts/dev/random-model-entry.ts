// A random-weights GGUF of any decoder shape in Ropewalk's own layout (llama architecture, tied head, no
// biases), with a real model's tokenizer and card: what the shape costs on the CPU before training it.
// Bundled on the fly by scripts/dev/random-model.mjs.

import { GGML_TYPES, quantize } from '../../src/model/gguf/ggml-types';
import { readGgufSync } from '../../src/model/gguf/gguf-file';
import type { GgufValue } from '../../src/model/gguf/gguf-values';
import { writeGguf, type GgufTensorToWrite } from '../../src/model/gguf/gguf-writer';
import { randomWeights } from '../../test/model/graph/random-weights';

export interface RandomShape {
  dim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  ffnDim: number;
  trainLen: number;
}

export interface RandomModelResult {
  parameters: number;
  tensorBytes: number;
}

/** general.file_type of llama.cpp's "mostly Q8_0" files (its LLAMA_FTYPE_MOSTLY_Q8_0). */
const FILE_TYPE_MOSTLY_Q8_0 = 7;

/**
 * Writes `out`: `template`'s metadata (tokenizer, FIM ids, card) over random weights of `shape`, the
 * matrices as Q8_0 and the norms as F32, as llama.cpp's quantizer leaves them. The card keeps the template's
 * fields with the shape replaced, so the runtime's defaults (budget by training length) follow the shape.
 */
export function writeRandomModel(
  template: string,
  shape: RandomShape,
  name: string,
  out: string,
  seed = 1,
): RandomModelResult {
  const src = readGgufSync(template);
  const vocab = src.metadata.get('llama.vocab_size');
  if (vocab?.type !== 'u32') throw new Error(`${template}: no llama.vocab_size`);
  const vocabSize = vocab.value;
  const headDim = shape.dim / shape.nHeads;
  const spec = {
    architecture: 'llama' as const,
    vocabSize,
    dim: shape.dim,
    nLayers: shape.nLayers,
    nHeads: shape.nHeads,
    nKvHeads: shape.nKvHeads,
    headDim,
    ffnDim: shape.ffnDim,
    normEps: 1e-5,
    tiedEmbeddings: true,
  };
  // randomWeights gives every architecture's q/k/v biases; Ropewalk's decoder has none.
  const weights = [...randomWeights(spec, seed)].filter(([n]) => !n.endsWith('.bias'));
  const parameters = weights.reduce((s, [, w]) => s + w.data.length, 0);

  const u32 = (value: number): GgufValue => ({ type: 'u32', value });
  const str = (value: string): GgufValue => ({ type: 'string', value });
  const cardValue = src.metadata.get('ropewalk.card');
  const card =
    cardValue?.type === 'string' ? (JSON.parse(cardValue.value) as Record<string, unknown>) : {};
  const config = {
    ...(card.config as Record<string, unknown> | undefined),
    dim: shape.dim,
    n_layers: shape.nLayers,
    n_heads: shape.nHeads,
    n_kv_heads: shape.nKvHeads,
    ffn_dim: shape.ffnDim,
    train_len: shape.trainLen,
  };
  const overrides = new Map<string, GgufValue>([
    ['general.name', str(name)],
    ['general.file_type', u32(FILE_TYPE_MOSTLY_Q8_0)],
    ['llama.context_length', u32(shape.trainLen)],
    ['llama.embedding_length', u32(shape.dim)],
    ['llama.block_count', u32(shape.nLayers)],
    ['llama.feed_forward_length', u32(shape.ffnDim)],
    ['llama.attention.head_count', u32(shape.nHeads)],
    ['llama.attention.head_count_kv', u32(shape.nKvHeads)],
    ['llama.attention.key_length', u32(headDim)],
    ['llama.attention.value_length', u32(headDim)],
    ['llama.rope.dimension_count', u32(headDim)],
    [
      'ropewalk.card',
      str(
        JSON.stringify({
          ...card,
          name,
          config,
          parameters,
          trainLength: shape.trainLen,
          heldoutLoss: undefined,
          tokensSeen: undefined,
          recipe: undefined,
        }),
      ),
    ],
  ]);
  const metadata: Array<[string, GgufValue]> = [...src.metadata].map(([k, v]) => [
    k,
    overrides.get(k) ?? v,
  ]);
  for (const [k, v] of overrides) if (!src.metadata.has(k)) metadata.push([k, v]);

  const tensors: GgufTensorToWrite[] = weights.map(([n, w]) => {
    const type = w.dims.length === 2 ? GGML_TYPES.Q8_0.id : GGML_TYPES.F32.id;
    // ggml order: the fastest-varying dimension first ([K, N] for an [N, K] matrix).
    return { name: n, dims: [...w.dims].reverse(), type, data: quantize(type, w.data) };
  });
  writeGguf(out, { metadata, tensors });
  return { parameters, tensorBytes: tensors.reduce((s, t) => s + t.data.length, 0) };
}
