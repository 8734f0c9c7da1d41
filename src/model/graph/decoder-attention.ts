// Attention of one layer in the contract's form: new queries and keys rotated with the given tables
// (rotate-half), the cache read in place as two 2-D products with scores laid out [C, P], causality by order.

import { fusedLinear, linear, type LayerContext } from './decoder-linear';
import { ELEM } from './onnx-graph';

/** Values every layer shares, computed once from the graph inputs. */
export interface AttentionShared {
  cos: string; // [S, hd/2]
  sin: string; // [S, hd/2]
  positions: string; // [1, S] int64: 0…S−1, the rows of the tables
  causal: string; // [C, S] float 0/1, C = heads·S: row c is query token c mod S
  onesP: string; // [P, 1]: the cache's share of the softmax denominator as a product
  eye: string; // [kv, 1, kv, 1]: selects the block-diagonal of the kv heads
  /** Per layer: attention_scale[i] / √hd as [1, S, 1], split once for all layers. */
  queryScales: string[];
}

/**
 * Rotate-half on x [S, n·hd] → [S, n, hd]: pair (j, j + hd/2) turns by the table's angle j. One
 * RotaryEmbedding node (the tables as its caches, read at positions 0…S−1) instead of eight.
 */
function rotate(ctx: LayerContext, x: string, n: number, sh: AttentionShared): string {
  const { b, spec } = ctx;
  const x3 = b.op1('Reshape', [x, b.constInt64([1, -1, n * spec.headDim])]); // [1, S, n·hd]
  const attrs = { interleaved: 0, num_heads: n };
  const inputs = [x3, sh.positions, sh.cos, sh.sin];
  const r = b.op1('RotaryEmbedding', inputs, attrs, 'com.microsoft'); // [1, S, n·hd]
  return b.op1('Reshape', [r, b.constInt64([-1, n, spec.headDim])]);
}

/** Layer i's attention on h [S, D]: writes present.i.key/value and returns the output projection [S, D]. */
export function attention(ctx: LayerContext, h: string, i: number, sh: AttentionShared): string {
  const { b, spec } = ctx;
  const { nHeads: nh, nKvHeads: kv, headDim: hd, dim } = spec;
  const p = `blk.${i}`;
  const qk = queriesAndKeys(ctx, h, i); // [S, (h + kv)·hd], v [S, kv·hd]
  // Queries and keys rotated together: one rotation's nodes instead of two.
  const qkr = rotate(ctx, qk.qk, nh + kv, sh); // [S, h + kv, hd]
  const [qr, kr] = b.op('Split', [qkr, b.constInt64([nh, kv])], { axis: 1 }, { outputs: 2 }) as [
    string,
    string,
  ]; // [S, h, hd], [S, kv, hd]
  const v = qk.v;
  writePresent(ctx, kr, `present.${i}.key`);
  writePresent(ctx, v, `present.${i}.value`);

  // The g query heads of each kv head as rows of a block-diagonal matrix [C, kv·hd]; each query's
  // logit multiplier attention_scale[i] / √hd on the way.
  const qt0 = b.op1('Transpose', [qr], { perm: [1, 0, 2] }); // [h, S, hd]
  const qh = b.op1('Mul', [qt0, sh.queryScales[i] as string]); // [h, S, hd]
  const qg = b.op1('Reshape', [qh, b.constInt64([kv, -1, 1, hd])]); // [kv, g·S, 1, hd]
  const qt = b.op1('Reshape', [b.op1('Mul', [qg, sh.eye]), b.constInt64([-1, kv * hd])]); // [C, kv·hd]

  const rows = b.constInt64([-1, kv * hd]);
  const pk = b.op1('Reshape', [readPast(ctx, `past_key_values.${i}.key`), rows]); // [P, kv·hd], a view
  const pv = b.op1('Reshape', [readPast(ctx, `past_key_values.${i}.value`), rows]); // [P, kv·hd]
  const kn = b.op1('Reshape', [kr, rows]); // [S, kv·hd]
  // onnxruntime fuses Transpose into MatMul (FusedMatMul transB): the cache is not copied.
  const sp = b.op1('MatMul', [qt, b.op1('Transpose', [pk], { perm: [1, 0] })]); // [C, P]
  const sn = b.op1('MatMul', [qt, b.op1('Transpose', [kn], { perm: [1, 0] })]); // [C, S]
  // One max over cache and new scores together: ReduceMax over an empty cache alone is ill-defined.
  const all = b.op1('Concat', [sp, sn], { axis: 1 }); // [C, P + S]
  const mx = b.op1('ReduceMax', [all], { axes: [1], keepdims: 1 }); // [C, 1]
  const ep = b.op1('Exp', [b.op1('Sub', [sp, mx])]); // [C, P]
  const en = b.op1('Mul', [b.op1('Exp', [b.op1('Sub', [sn, mx])]), sh.causal]); // [C, S]
  // The cache's share as a product with ones: a product over an empty inner axis is 0, a ReduceSum is not defined.
  // Products over the cache are Gemm, not MatMul: onnxruntime 1.30's WebGPU MatMul crashes the process
  // (SIGSEGV) when the inner axis is empty, as it is on every first call (P = 0); its Gemm returns zeros.
  const den = b.op1('Add', [
    b.op1('Gemm', [ep, sh.onesP]),
    b.op1('ReduceSum', [en, b.constInt64([1])], { keepdims: 1 }),
  ]); // [C, 1]
  const num = b.op1('Add', [b.op1('Gemm', [ep, pv]), b.op1('MatMul', [en, v])]); // [C, kv·hd]
  const out = b.op1('Div', [num, den]); // [C, kv·hd]
  // Keep each query head's own kv block: [kv, g·S, kv, hd] → [kv, g·S, hd].
  const blocks = b.op1('Mul', [b.op1('Reshape', [out, b.constInt64([kv, -1, kv, hd])]), sh.eye]);
  const diag = b.op1('ReduceSum', [blocks, b.constInt64([2])], { keepdims: 0 }); // [kv, g·S, hd]
  const heads = b.op1('Reshape', [diag, b.constInt64([nh, -1, hd])]); // [h, S, hd]
  const tokens = b.op1('Transpose', [heads], { perm: [1, 0, 2] }); // [S, h, hd]
  const flat = b.op1('Reshape', [tokens, b.constInt64([-1, nh * hd])]); // [S, h·hd]
  return linear(ctx, flat, `${p}.attn_output`, dim, nh * hd);
}

/**
 * A past KV input as float32 [1, P, kv, hd]: an fp16 cache is widened here (one Cast per layer and
 * tensor), so that the attention math is the same float32 math for both cache types.
 */
function readPast(ctx: LayerContext, input: string): string {
  return ctx.kvType === 'float16' ? ctx.b.op1('Cast', [input], { to: ELEM.float }) : input;
}

/**
 * x [S, kv, hd] (or [S, kv·hd]) → the graph output `name` [1, S, kv, hd], rounded to fp16 (nearest
 * even) for an fp16 cache. This call's own attention uses the unrounded x: only later calls read the
 * rounded entries, as they read any cached ones.
 */
function writePresent(ctx: LayerContext, x: string, name: string): void {
  const { b, spec } = ctx;
  const shape = b.constInt64([1, -1, spec.nKvHeads, spec.headDim]);
  const y = ctx.kvType === 'float16' ? b.op1('Cast', [x], { to: ELEM.float16 }) : x;
  b.op('Reshape', [y, shape], {}, { outputs: [name] });
}

/** Layer i's Q and K projections side by side [S, (h + kv)·hd], and V [S, kv·hd]; one product when fused. */
function queriesAndKeys(ctx: LayerContext, h: string, i: number): { qk: string; v: string } {
  const { b, spec } = ctx;
  const { nHeads: nh, nKvHeads: kv, headDim: hd, dim } = spec;
  const p = `blk.${i}`;
  const Ns = [nh * hd, kv * hd, kv * hd];
  const bases = [`${p}.attn_q`, `${p}.attn_k`, `${p}.attn_v`];
  const qkv = fusedLinear(ctx, h, bases, Ns, dim);
  if (qkv) {
    const split = b.constInt64([(nh + kv) * hd, kv * hd]);
    const [qk, v] = b.op('Split', [qkv, split], { axis: -1 }, { outputs: 2 }) as [string, string];
    return { qk, v };
  }
  const [q, k, v] = bases.map((base, j) => linear(ctx, h, base, Ns[j] as number, dim)) as [
    string,
    string,
    string,
  ];
  return { qk: b.op1('Concat', [q, k], { axis: -1 }), v };
}

/** The shared values: tables reshaped, the causal mask by order, ones over the cache, the kv-head eye. */
export function attentionShared(ctx: LayerContext): AttentionShared {
  const { b, spec } = ctx;
  const half = spec.headDim / 2;
  const kv = spec.nKvHeads;
  const cos = b.op1('Reshape', ['rope_cos_q', b.constInt64([-1, half])]);
  const sin = b.op1('Reshape', ['rope_sin_q', b.constInt64([-1, half])]);
  const zero = b.constInt64([0], []);
  const one = b.constInt64([1], []);
  const s = b.op1('Gather', [b.op1('Shape', ['input_ids']), one], { axis: 0 }); // scalar S
  const tokens = b.op1('Range', [zero, s, one]); // [S]
  const c = b.op1('Mul', [s, b.constInt64([spec.nHeads], [])]);
  const rowToken = b.op1('Mod', [b.op1('Range', [zero, c, one]), s]); // [C]
  const positions = b.op1('Unsqueeze', [tokens, b.constInt64([0])]); // [1, S]
  const sees = b.op1('LessOrEqual', [
    positions,
    b.op1('Unsqueeze', [rowToken, b.constInt64([1])]), // [C, 1]
  ]);
  const causal = b.op1('Cast', [sees], { to: 1 }); // [C, S] float
  const pShape = b.op1('Shape', ['past_key_values.0.key'], { start: 1, end: 2 }); // [1] = P
  const onesShape = b.op1('Concat', [pShape, b.constInt64([1])], { axis: 0 });
  const onesP = b.op1('Expand', [b.constFloat([1], [1, 1]), onesShape]); // [P, 1]
  const eyeValues = Array.from({ length: kv * kv }, (_, j) => (j % (kv + 1) === 0 ? 1 : 0));
  const eye = b.constFloat(eyeValues, [kv, 1, kv, 1]);
  // attention_scale [n_layers, 1, S] → [n_layers, S, 1] / √hd → one [1, S, 1] per layer.
  const scales = b.op1('Div', [
    b.op1('Reshape', ['attention_scale', b.constInt64([spec.nLayers, -1, 1])]),
    b.constFloat([Math.sqrt(spec.headDim)], []),
  ]);
  const queryScales = b.op('Split', [scales], { axis: 0 }, { outputs: spec.nLayers });
  return { cos, sin, positions, causal, onesP, eye, queryScales };
}
