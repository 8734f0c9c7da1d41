// A GGUF file's architecture and shape as the graph builder's DecoderSpec, and its RoPE facts as the
// model card's: which families Ropewalk runs, said plainly for the ones it does not.

import {
  DECODER_ARCHITECTURES,
  type DecoderArchitecture,
  type DecoderSpec,
} from '../graph/decoder-spec';
import type { GgufFile } from '../gguf/gguf-file';
import type { RopeMethod } from '../rope-methods';
import { metaNumber, metaString } from './gguf-metadata';

export class UnsupportedArchitectureError extends Error {
  override readonly name = 'UnsupportedArchitectureError';
  constructor(path: string, architecture: string | undefined) {
    super(
      `${path}: architecture ${architecture === undefined ? '(none given)' : JSON.stringify(architecture)} is not one Ropewalk runs; ` +
        `supported: ${DECODER_ARCHITECTURES.join(', ')} (Qwen2.5-Coder, CodeLlama, DeepSeek-Coder, StarCoder2, CodeGemma)`,
    );
  }
}

export class IncompleteModelError extends Error {
  override readonly name = 'IncompleteModelError';
}

export interface ImportedShape {
  spec: DecoderSpec;
  /** What the card's defaultRope says: the model's own scaling, from the file's rope.scaling keys. */
  defaultRope: { method: RopeMethod; factor?: number };
}

const isArchitecture = (a: string | undefined): a is DecoderArchitecture =>
  (DECODER_ARCHITECTURES as readonly (string | undefined)[]).includes(a);

export function shapeFromGguf(
  file: GgufFile,
  meta: Readonly<Record<string, unknown>>,
): ImportedShape {
  const architecture = metaString(meta, 'general.architecture');
  if (!isArchitecture(architecture))
    throw new UnsupportedArchitectureError(file.path, architecture);
  const need = (key: string): number => {
    const v = metaNumber(meta, `${architecture}.${key}`);
    if (v === undefined)
      throw new IncompleteModelError(`${file.path}: metadata ${architecture}.${key} is missing`);
    return v;
  };
  const embed = file.tensors.find((t) => t.name === 'token_embd.weight');
  if (!embed) throw new IncompleteModelError(`${file.path}: no token_embd.weight tensor`);
  const dim = need('embedding_length');
  const nHeads = need('attention.head_count');
  const spec: DecoderSpec = {
    architecture,
    vocabSize: embed.dims[1] ?? 0, // ggml order: [K = dim, vocab]
    dim,
    nLayers: need('block_count'),
    nHeads,
    nKvHeads: metaNumber(meta, `${architecture}.attention.head_count_kv`) ?? nHeads,
    headDim: metaNumber(meta, `${architecture}.attention.key_length`) ?? dim / nHeads,
    ffnDim: need('feed_forward_length'),
    normEps:
      metaNumber(meta, `${architecture}.attention.layer_norm_rms_epsilon`) ??
      metaNumber(meta, `${architecture}.attention.layer_norm_epsilon`) ??
      1e-5,
    tiedEmbeddings: !file.tensors.some((t) => t.name === 'output.weight'),
    ropeTheta: metaNumber(meta, `${architecture}.rope.freq_base`) ?? 10000,
    trainLength: need('context_length'),
  };
  return { spec, defaultRope: ownScaling(meta, architecture) };
}

/** The scaling a model was trained or released with (DeepSeek-Coder's linear ×4, say); none when unscaled. */
function ownScaling(
  meta: Readonly<Record<string, unknown>>,
  architecture: string,
): ImportedShape['defaultRope'] {
  const type = metaString(meta, `${architecture}.rope.scaling.type`);
  const factor = metaNumber(meta, `${architecture}.rope.scaling.factor`);
  if (type === 'linear' && factor && factor > 1) return { method: 'linear', factor };
  if (type === 'yarn' && factor && factor > 1) return { method: 'yarn', factor };
  return { method: 'none' };
}
