// Test helper: random contract inputs (new tokens on a nonempty cache) and one run through the engine.

import { seededRandom } from '../../../src/model/sampling';
import type { DecoderSpec } from '../../../src/model/graph/decoder-spec';
import type { OnnxModel } from '../../../src/model/onnx-backend';

export interface ContractInputs {
  ids: number[];
  cos: Float32Array; // [S, hd/2]
  sin: Float32Array; // [S, hd/2]
  scale: Float32Array; // [n_layers, S]
  logitsIndices: number[];
  pastKeys: Float32Array[]; // per layer [P, kv, hd]
  pastValues: Float32Array[];
  past: number;
}

export interface ContractOutputs {
  logits: Float32Array; // [K, V]
  presentKeys: Float32Array[]; // per layer [S, kv, hd]
  presentValues: Float32Array[];
}

/** A seeded generator (sampling's mulberry32), so a failing case can be rerun. */
export const rng = seededRandom;

export function randomInputs(
  spec: DecoderSpec,
  s: number,
  p: number,
  seed: number,
): ContractInputs {
  const r = rng(seed);
  const half = spec.headDim / 2;
  const cos = new Float32Array(s * half);
  const sin = new Float32Array(s * half);
  for (let t = 0; t < s; t++)
    for (let j = 0; j < half; j++) {
      const angle = (p + t * 3) * Math.pow(10000, (-2 * j) / spec.headDim);
      cos[t * half + j] = Math.cos(angle);
      sin[t * half + j] = Math.sin(angle);
    }
  const cache = () =>
    Float32Array.from({ length: p * spec.nKvHeads * spec.headDim }, () => r() * 2 - 1);
  return {
    ids: Array.from({ length: s }, () => Math.floor(r() * spec.vocabSize)),
    cos,
    sin,
    scale: Float32Array.from({ length: spec.nLayers * s }, () => 0.8 + r() * 0.4),
    logitsIndices: Array.from({ length: s }, (_, i) => s - 1 - i),
    pastKeys: Array.from({ length: spec.nLayers }, cache),
    pastValues: Array.from({ length: spec.nLayers }, cache),
    past: p,
  };
}

/** One call through the engine, which feeds the graph as it feeds any contract graph. */
export async function runContract(model: OnnxModel, x: ContractInputs): Promise<ContractOutputs> {
  const out = await model.forward({
    ids: x.ids,
    cosQ: x.cos,
    sinQ: x.sin,
    attentionScale: x.scale,
    logitsIndices: x.logitsIndices,
    past: { length: x.past, keys: x.pastKeys, values: x.pastValues },
  });
  return { logits: out.logits, presentKeys: out.newKeys, presentValues: out.newValues };
}
