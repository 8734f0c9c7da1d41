// Test helper: the contract's forward pass in plain float64 loops, for any architecture the graph builder
// supports; slow and obvious, so that a graph can be checked against it on a few positions.

import type { DecoderSpec, FloatWeight } from '../../../src/model/graph/decoder-spec';
import { floatToHalf, halfToFloat } from '../../../src/model/half';
import type { ContractInputs, ContractOutputs } from './contract-run';

type Vec = Float64Array;
type Weights = Map<string, FloatWeight>;

function get(w: Weights, name: string): Float32Array | undefined {
  return w.get(name)?.data;
}

/** y = W·x (+ b) for W [N, K] row-major. */
function linear(w: Weights, base: string, x: Vec): Vec {
  const m = w.get(`${base}.weight`);
  if (!m) throw new Error(`reference: no ${base}.weight`);
  const [n, k] = m.dims as [number, number];
  const bias = get(w, `${base}.bias`);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = bias ? (bias[i] as number) : 0;
    for (let j = 0; j < k; j++) acc += (m.data[i * k + j] as number) * (x[j] as number);
    y[i] = acc;
  }
  return y;
}

function norm(spec: DecoderSpec, w: Weights, base: string, x: Vec): Vec {
  const g = get(w, `${base}.weight`) as Float32Array;
  const d = x.length;
  let mean = 0;
  if (spec.architecture === 'starcoder2') mean = x.reduce((a, v) => a + v, 0) / d;
  const variance = x.reduce((a, v) => a + (v - mean) * (v - mean), 0) / d;
  const bias = get(w, `${base}.bias`);
  return x.map(
    (v, i) =>
      ((v - mean) / Math.sqrt(variance + spec.normEps)) * (g[i] as number) +
      (bias ? (bias[i] as number) : 0),
  );
}

/** The fp16 nearest to the float32 of v (ties to even), as onnxruntime's Cast rounds. */
const roundHalf = (v: number): number => halfToFloat(floatToHalf(v));

/** ggml's GELU: tanh form on the input rounded to fp16, result rounded to fp16 (the graph's rule). */
function gelu(v: number): number {
  const x = roundHalf(v);
  return roundHalf(0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))));
}

function mlp(spec: DecoderSpec, w: Weights, i: number, h: Vec): Vec {
  const p = `blk.${i}`;
  if (spec.architecture === 'starcoder2')
    return linear(w, `${p}.ffn_down`, linear(w, `${p}.ffn_up`, h).map(gelu));
  const gate = linear(w, `${p}.ffn_gate`, h);
  const up = linear(w, `${p}.ffn_up`, h);
  if (spec.architecture === 'gemma')
    return linear(
      w,
      `${p}.ffn_down`,
      gate.map((g, j) => gelu(g) * (up[j] as number)),
    );
  return linear(
    w,
    `${p}.ffn_down`,
    gate.map((g, j) => (g / (1 + Math.exp(-g))) * (up[j] as number)),
  );
}

/** Rotate-half of each head of v [n·hd] by the table row of token s. */
function rotate(spec: DecoderSpec, x: ContractInputs, v: Vec, s: number): Vec {
  const hd = spec.headDim;
  const half = hd / 2;
  const out = new Float64Array(v.length);
  for (let h = 0; h < v.length / hd; h++)
    for (let j = 0; j < half; j++) {
      const [c, sn] = [x.cos[s * half + j] as number, x.sin[s * half + j] as number];
      const [a, b] = [v[h * hd + j] as number, v[h * hd + j + half] as number];
      out[h * hd + j] = a * c - b * sn;
      out[h * hd + j + half] = b * c + a * sn;
    }
  return out;
}

export function referenceForward(
  spec: DecoderSpec,
  w: Weights,
  x: ContractInputs,
): ContractOutputs {
  const { dim, headDim: hd, nHeads, nKvHeads: kv, nLayers } = spec;
  const S = x.ids.length;
  const embed = get(w, 'token_embd.weight') as Float32Array;
  const gain = spec.architecture === 'gemma' ? Math.sqrt(dim) : 1;
  let xs: Vec[] = x.ids.map((id) =>
    Float64Array.from(embed.subarray(id * dim, (id + 1) * dim), (v) => v * gain),
  );
  const presentKeys: Float32Array[] = [];
  const presentValues: Float32Array[] = [];
  for (let l = 0; l < nLayers; l++) {
    const p = `blk.${l}`;
    const hs = xs.map((v) => norm(spec, w, `${p}.attn_norm`, v));
    const qs = hs.map((h, s) => rotate(spec, x, linear(w, `${p}.attn_q`, h), s));
    const ks = hs.map((h, s) => rotate(spec, x, linear(w, `${p}.attn_k`, h), s));
    const vs = hs.map((h) => linear(w, `${p}.attn_v`, h));
    presentKeys.push(Float32Array.from(ks.flatMap((k) => Array.from(k))));
    presentValues.push(Float32Array.from(vs.flatMap((v) => Array.from(v))));
    const pk = x.pastKeys[l] as Float32Array;
    const pv = x.pastValues[l] as Float32Array;
    const attended = qs.map((q, s) => {
      const out = new Float64Array(nHeads * hd);
      const scale = (x.scale[l * S + s] as number) / Math.sqrt(hd);
      for (let h = 0; h < nHeads; h++) {
        const j = Math.floor(h / (nHeads / kv));
        const keys: ArrayLike<number>[] = [];
        const values: ArrayLike<number>[] = [];
        for (let t = 0; t < x.past; t++) {
          keys.push(pk.subarray((t * kv + j) * hd, (t * kv + j + 1) * hd));
          values.push(pv.subarray((t * kv + j) * hd, (t * kv + j + 1) * hd));
        }
        for (let t = 0; t <= s; t++) {
          keys.push((ks[t] as Vec).subarray(j * hd, (j + 1) * hd));
          values.push((vs[t] as Vec).subarray(j * hd, (j + 1) * hd));
        }
        const scores = keys.map((k) => {
          let dot = 0;
          for (let d = 0; d < hd; d++) dot += (q[h * hd + d] as number) * (k[d] as number);
          return dot * scale;
        });
        const mx = Math.max(...scores);
        const e = scores.map((v) => Math.exp(v - mx));
        const sum = e.reduce((a, v) => a + v, 0);
        for (let t = 0; t < e.length; t++)
          for (let d = 0; d < hd; d++)
            out[h * hd + d] =
              (out[h * hd + d] as number) +
              ((e[t] as number) / sum) * ((values[t] as ArrayLike<number>)[d] as number);
      }
      return linear(w, `${p}.attn_output`, out);
    });
    xs = xs.map((v, s) => v.map((a, i) => a + ((attended[s] as Vec)[i] as number)));
    xs = xs.map((v) => {
      const m = mlp(spec, w, l, norm(spec, w, `${p}.ffn_norm`, v));
      return v.map((a, i) => a + (m[i] as number));
    });
  }
  const head = spec.tiedEmbeddings ? 'token_embd' : 'output';
  const logits = x.logitsIndices.flatMap((i) => {
    const h = norm(spec, w, 'output_norm', xs[i] as Vec);
    return Array.from(linear(w, head, h));
  });
  return { logits: Float32Array.from(logits), presentKeys, presentValues };
}
