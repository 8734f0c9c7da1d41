// Test helper: random GGUF-named weights of a decoder's shape, with the biases each architecture has.

import type {
  DecoderArchitecture,
  DecoderSpec,
  FloatWeight,
} from '../../../src/model/graph/decoder-spec';
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

/** Random GGUF-named weights with the biases each architecture has. */
export function randomWeights(spec: DecoderSpec, seed: number): Map<string, FloatWeight> {
  const r = rng(seed);
  const w = new Map<string, FloatWeight>();
  const put = (name: string, dims: number[], around = 0) => {
    const size = dims.reduce((a, b) => a * b, 1);
    const std = dims.length === 2 ? 1 / Math.sqrt(dims[1] as number) : 0.1;
    w.set(name, {
      kind: 'float',
      dims,
      data: Float32Array.from({ length: size }, () => around + (r() * 2 - 1) * std * 1.7),
    });
  };
  const sc2 = spec.architecture === 'starcoder2';
  const { dim: d, headDim: hd, nHeads: h, nKvHeads: kv, ffnDim: f } = spec;
  const normW = (base: string) => {
    put(`${base}.weight`, [d], 1);
    if (sc2) put(`${base}.bias`, [d]);
  };
  put('token_embd.weight', [spec.vocabSize, d]);
  if (!spec.tiedEmbeddings) put('output.weight', [spec.vocabSize, d]);
  normW('output_norm');
  for (let i = 0; i < spec.nLayers; i++) {
    const p = `blk.${i}`;
    normW(`${p}.attn_norm`);
    normW(`${p}.ffn_norm`);
    const lin = (name: string, n: number, k: number, bias: boolean) => {
      put(`${p}.${name}.weight`, [n, k]);
      if (bias) put(`${p}.${name}.bias`, [n]);
    };
    lin('attn_q', h * hd, d, true);
    lin('attn_k', kv * hd, d, true);
    lin('attn_v', kv * hd, d, true);
    lin('attn_output', d, h * hd, sc2);
    if (!sc2) lin('ffn_gate', f, d, false);
    lin('ffn_up', f, d, sc2);
    lin('ffn_down', d, f, sc2);
  }
  return w;
}
