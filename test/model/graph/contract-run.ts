// Test helper: random contract inputs (new tokens on a nonempty cache) and one run through the engine.

import { floatsToHalves, halvesToFloats } from '../../../src/model/half';
import type { KvArray } from '../../../src/model/kv-cache';
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
  spec: Pick<DecoderSpec, 'vocabSize' | 'nLayers' | 'nKvHeads' | 'headDim'>,
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

const widen = (a: KvArray) => (a instanceof Uint16Array ? halvesToFloats(a) : a);

/**
 * One call through the engine, which feeds the graph as it feeds any contract graph. An fp16-KV model
 * gets the past rounded to fp16, and its present entries come back widened to float32.
 */
export async function runContract(model: OnnxModel, x: ContractInputs): Promise<ContractOutputs> {
  const kvType = model.kv.type;
  const cast = (a: Float32Array): KvArray => (kvType === 'float16' ? floatsToHalves(a) : a);
  const out = await model.forward({
    ids: x.ids,
    cosQ: x.cos,
    sinQ: x.sin,
    attentionScale: x.scale,
    logitsIndices: x.logitsIndices,
    past: { length: x.past, kvType, keys: x.pastKeys.map(cast), values: x.pastValues.map(cast) },
  });
  return {
    logits: out.logits,
    presentKeys: out.newKeys.map(widen),
    presentValues: out.newValues.map(widen),
  };
}
