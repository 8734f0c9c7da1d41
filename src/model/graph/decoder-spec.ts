// What a decoder graph is built from: the architecture's shape (DecoderSpec) and its weights by GGUF tensor name.

/** Architectures whose GGUF files the graph builder turns into contract-v3 graphs. */
export const DECODER_ARCHITECTURES = ['llama', 'qwen2', 'starcoder2', 'gemma'] as const;
export type DecoderArchitecture = (typeof DECODER_ARCHITECTURES)[number];

export interface DecoderSpec {
  architecture: DecoderArchitecture;
  vocabSize: number;
  dim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  ffnDim: number;
  normEps: number;
  /** The output head reuses token_embd.weight (no output.weight in the file). */
  tiedEmbeddings: boolean;
  /** Kept in the graph's config metadata for the runtime's RoPE planner; the graph itself takes tables. */
  ropeTheta?: number;
  trainLength?: number;
}

/** A float tensor, row-major; a weight is [N, K] with N output channels. */
export interface FloatWeight {
  kind: 'float';
  dims: number[];
  data: Float32Array;
  /**
   * The values are fp16 (a GGUF F16 tensor): products round their input to fp16 first, as llama.cpp's
   * CPU kernels and fp16 inference do, so the model computes what it computes elsewhere.
   */
  halfInputs?: boolean;
}

/**
 * A block-quantized weight in onnxruntime's MatMulNBits layout: value = (q − zero) · scale per block of
 * `blockSize` along K. Zero points, when given, are in MatMulNBits' own layout (uint8 packed like `packed`
 * per row, or one float per block); without them the zero is 2^(bits−1).
 */
export interface NBitsWeight {
  kind: 'nbits';
  bits: 4 | 8;
  blockSize: number;
  N: number;
  K: number;
  packed: Uint8Array; // [N, K/blockSize, blockSize·bits/8]
  scales: Float32Array; // [N, K/blockSize]
  zeroPoints?: Uint8Array | Float32Array;
  /** [N, K/blockSize]: subtracted from each value of its block (per-block minimums, as Q4_K's). */
  offsets?: Float32Array;
}

export type Weight = FloatWeight | NBitsWeight;

/** Weights by GGUF tensor name (`token_embd.weight`, `blk.3.attn_q.weight`, …); undefined when absent. */
export interface WeightSource {
  get(name: string): Weight | undefined;
}

export class InvalidDecoderSpecError extends Error {
  override name = 'InvalidDecoderSpecError';
}

export class MissingWeightError extends Error {
  override name = 'MissingWeightError';
  constructor(readonly tensor: string) {
    super(`the weights have no tensor ${tensor}`);
  }
}

export class WeightShapeError extends Error {
  override name = 'WeightShapeError';
  constructor(
    readonly tensor: string,
    expected: string,
    got: string,
  ) {
    super(`tensor ${tensor} is ${got}, expected ${expected}`);
  }
}

/** Throws InvalidDecoderSpecError when the shape cannot describe a decoder the graph supports. */
export function checkDecoderSpec(spec: DecoderSpec): void {
  const ints: (keyof DecoderSpec)[] = [
    'vocabSize',
    'dim',
    'nLayers',
    'nHeads',
    'nKvHeads',
    'headDim',
    'ffnDim',
  ];
  for (const key of ints) {
    const v = spec[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      throw new InvalidDecoderSpecError(`${key} must be a positive integer, got ${String(v)}`);
  }
  if (!DECODER_ARCHITECTURES.includes(spec.architecture))
    throw new InvalidDecoderSpecError(`unknown architecture ${String(spec.architecture)}`);
  if (spec.nHeads % spec.nKvHeads !== 0)
    throw new InvalidDecoderSpecError(`nHeads ${spec.nHeads} is not a multiple of nKvHeads`);
  // Rotate-half pairs dimension j with j + hd/2.
  if (spec.headDim % 2 !== 0) throw new InvalidDecoderSpecError('headDim must be even');
  if (!(spec.normEps > 0)) throw new InvalidDecoderSpecError('normEps must be positive');
}

/** Shape of a weight as [N, K] (rows, columns), whatever its kind. */
export function weightRowsCols(w: Weight): [number, number] {
  if (w.kind === 'nbits') return [w.N, w.K];
  if (w.dims.length === 2) return [w.dims[0] as number, w.dims[1] as number];
  return [1, w.dims[0] ?? 0];
}
