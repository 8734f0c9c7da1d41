// Test helper: random GGUF-named weights of a decoder's shape, with the biases each architecture has,
// and the GGUF keys that describe that shape.

import type {
  DecoderArchitecture,
  DecoderSpec,
  FloatWeight,
} from '../../../src/model/graph/decoder-spec';
import type { GgufValue } from '../../../src/model/gguf/gguf-values';
import { seededRandom as rng } from '../../../src/model/sampling';

/** A small decoder of each architecture (2 layers, 32 wide), for graphs built and run in tests. */
export function smallSpec(architecture: DecoderArchitecture, vocabSize = 61): DecoderSpec {
  return {
    architecture,
    vocabSize,
    dim: 32,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    headDim: architecture === 'gemma' ? 16 : 8, // Gemma's heads are wider than dim / heads
    ffnDim: 48,
    normEps: 1e-6,
    tiedEmbeddings: architecture !== 'starcoder2',
  };
}

/**
 * The `ARCH.*` keys from which the GGUF importer (src/model/gguf-import/architecture.ts) reads `spec`'s
 * shape back, with the context the model says it was trained at and its RoPE base: what a random-weight
 * model file needs beside its vocabulary. StarCoder2 names its (non-RMS) norm's epsilon differently.
 */
export function shapeMetadata(
  spec: DecoderSpec,
  contextLength: number,
  ropeTheta: number,
): Array<[string, GgufValue]> {
  const a = spec.architecture;
  const u32 = (value: number): GgufValue => ({ type: 'u32', value });
  const f32 = (value: number): GgufValue => ({ type: 'f32', value });
  return [
    [`${a}.context_length`, u32(contextLength)],
    [`${a}.embedding_length`, u32(spec.dim)],
    [`${a}.block_count`, u32(spec.nLayers)],
    [`${a}.feed_forward_length`, u32(spec.ffnDim)],
    [`${a}.attention.head_count`, u32(spec.nHeads)],
    [`${a}.attention.head_count_kv`, u32(spec.nKvHeads)],
    [`${a}.attention.key_length`, u32(spec.headDim)],
    [`${a}.attention.value_length`, u32(spec.headDim)],
    [
      a === 'starcoder2'
        ? `${a}.attention.layer_norm_epsilon`
        : `${a}.attention.layer_norm_rms_epsilon`,
      f32(spec.normEps),
    ],
    [`${a}.rope.freq_base`, f32(ropeTheta)],
  ];
}

/** Random GGUF-named weights with the biases each architecture has. */
export function randomWeights(spec: DecoderSpec, seed: number): Map<string, FloatWeight> {
  return new Map(randomWeightEntries(spec, seed));
}

/**
 * The same weights one tensor at a time, in the same order and from the same random stream, so that a
 * model of billions of weights need not sit in memory as floats. `shareLayers`: every layer yields layer
 * 0's arrays under its own names (speed benchmarks, where only the shapes matter, write a 1.5B model in
 * seconds instead of minutes).
 */
export function* randomWeightEntries(
  spec: DecoderSpec,
  seed: number,
  options: { shareLayers?: boolean } = {},
): Generator<[string, FloatWeight]> {
  const r = rng(seed);
  const draw = (dims: number[], around = 0): FloatWeight => {
    const size = dims.reduce((a, b) => a * b, 1);
    const std = dims.length === 2 ? 1 / Math.sqrt(dims[1] as number) : 0.1;
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = around + (r() * 2 - 1) * std * 1.7;
    return { kind: 'float', dims, data };
  };
  const sc2 = spec.architecture === 'starcoder2';
  const { dim: d, headDim: hd, nHeads: h, nKvHeads: kv, ffnDim: f } = spec;
  type Make = (dims: number[], around?: number) => FloatWeight;
  const norm = function* (make: Make, base: string): Generator<[string, FloatWeight]> {
    yield [`${base}.weight`, make([d], 1)];
    if (sc2) yield [`${base}.bias`, make([d])];
  };
  const layer = function* (make: Make, p: string): Generator<[string, FloatWeight]> {
    yield* norm(make, `${p}.attn_norm`);
    yield* norm(make, `${p}.ffn_norm`);
    const lin = function* (name: string, n: number, k: number, bias: boolean) {
      yield [`${p}.${name}.weight`, make([n, k])] as [string, FloatWeight];
      if (bias) yield [`${p}.${name}.bias`, make([n])] as [string, FloatWeight];
    };
    yield* lin('attn_q', h * hd, d, true);
    yield* lin('attn_k', kv * hd, d, true);
    yield* lin('attn_v', kv * hd, d, true);
    yield* lin('attn_output', d, h * hd, sc2);
    if (!sc2) yield* lin('ffn_gate', f, d, false);
    yield* lin('ffn_up', f, d, sc2);
    yield* lin('ffn_down', d, f, sc2);
  };
  yield ['token_embd.weight', draw([spec.vocabSize, d])];
  if (!spec.tiedEmbeddings) yield ['output.weight', draw([spec.vocabSize, d])];
  yield* norm(draw, 'output_norm');
  // Layer 0's arrays, handed out again in the same order when layers are shared.
  const first: FloatWeight[] = [];
  for (let i = 0; i < spec.nLayers; i++) {
    let j = 0;
    const make: Make =
      !options.shareLayers || i === 0
        ? (dims, around) => {
            const w = draw(dims, around);
            if (i === 0) first.push(w);
            return w;
          }
        : () => first[j++] as FloatWeight;
    yield* layer(make, `blk.${i}`);
  }
}
