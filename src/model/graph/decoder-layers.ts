// The per-layer pieces of the decoder graph other than attention and linear layers: norms (RMSNorm or
// LayerNorm with bias) and the MLPs (SwiGLU or GELU-tanh), on activations [S, D].

import type { OnnxGraphBuilder } from './onnx-graph';
import { fusedLinear, linear, needFloat, type LayerContext } from './decoder-linear';

/** The norm's scale (and, for LayerNorm, bias) as initializers. */
function normWeights(ctx: LayerContext, base: string): string[] {
  const { b, spec } = ctx;
  const parts = spec.architecture === 'starcoder2' ? ['weight', 'bias'] : ['weight'];
  return parts.map((part) => {
    const name = `${base}.${part}`;
    return b.weight(name, 'float', [spec.dim], needFloat(ctx, name, spec.dim).data);
  });
}

/**
 * RMSNorm (llama, qwen2) or LayerNorm with bias (starcoder2) over the last axis of x [.., D], one node
 * each: onnxruntime's level-'all' optimizer does not fuse RMSNorm written as ReduceMean…Reciprocal, and
 * per-node overhead is most of a decoding step's time.
 */
export function norm(ctx: LayerContext, x: string, base: string): string {
  const { b, spec } = ctx;
  const epsilon = { float: spec.normEps };
  if (spec.architecture === 'starcoder2')
    return b.op1('LayerNormalization', [x, ...normWeights(ctx, base)], { axis: -1, epsilon });
  // Registered by onnxruntime in the default domain, version 1.
  return b.op1('SimplifiedLayerNormalization', [x, ...normWeights(ctx, base)], {
    axis: -1,
    epsilon,
  });
}

/** The residual sum x + delta [.., D] and its norm, as one node: returns [normed, sum]. */
export function addNorm(
  ctx: LayerContext,
  x: string,
  delta: string,
  base: string,
): [string, string] {
  const { b, spec } = ctx;
  const type =
    spec.architecture === 'starcoder2'
      ? 'SkipLayerNormalization'
      : 'SkipSimplifiedLayerNormalization';
  const normed = b.fresh(type);
  const sum = b.fresh(`${type}_sum`);
  // Outputs: normed, mean, inv_std_var, input + skip (+ bias); the middle two are not wanted.
  b.op(
    type,
    [x, delta, ...normWeights(ctx, base)],
    { epsilon: { float: spec.normEps } },
    { outputs: [normed, '', '', sum], domain: 'com.microsoft' },
  );
  return [normed, sum];
}

/** The MLP of layer `i` on h [S, D] → [S, D]. */
export function mlp(ctx: LayerContext, h: string, i: number): string {
  const { b, spec } = ctx;
  const p = `blk.${i}`;
  if (spec.architecture === 'starcoder2') {
    const up = linear(ctx, h, `${p}.ffn_up`, spec.ffnDim, spec.dim); // [S, F]
    return linear(ctx, geluTanh(b, up), `${p}.ffn_down`, spec.dim, spec.ffnDim);
  }
  const bases = [`${p}.ffn_gate`, `${p}.ffn_up`];
  const [gate, up] = fusedSplit(ctx, h, bases, spec.ffnDim) as [string, string]; // [S, F] each
  if (spec.architecture === 'gemma') {
    // GeGLU: GELU (tanh) of the gate times up.
    const geglu = b.op1('Mul', [geluTanh(b, gate), up]);
    return linear(ctx, geglu, `${p}.ffn_down`, spec.dim, spec.ffnDim);
  }
  const silu = b.op1('Mul', [gate, b.op1('Sigmoid', [gate])]);
  return linear(ctx, b.op1('Mul', [silu, up]), `${p}.ffn_down`, spec.dim, spec.ffnDim);
}

/** The products of h [S, D] with several weights [N, D] of the same N: one product and a Split when fused. */
function fusedSplit(ctx: LayerContext, h: string, bases: string[], N: number): string[] {
  const { b, spec } = ctx;
  const Ns = bases.map(() => N);
  const fused = fusedLinear(ctx, h, bases, Ns, spec.dim);
  if (!fused) return bases.map((base) => linear(ctx, h, base, N, spec.dim));
  return b.op('Split', [fused, b.constInt64(Ns)], { axis: -1 }, { outputs: bases.length });
}

/**
 * GELU, tanh approximation, as llama.cpp computes it on the CPU: from a table indexed by the input rounded
 * to fp16, holding fp16 results — so the input and the output are rounded to fp16 around onnxruntime's
 * FastGelu (one contrib node for the eight of the formula). Matching the reference to rounding keeps the
 * parity test's tolerance tight enough to catch real errors; the rounding is far below the bf16 precision
 * StarCoder2 was trained in. (ggml passes |x| ≥ 10 through unrounded: a half-step difference there.)
 */
function geluTanh(b: OnnxGraphBuilder, x: string): string {
  // TensorProto types: 10 float16, 1 float.
  const half = (y: string) => b.op1('Cast', [b.op1('Cast', [y], { to: 10 })], { to: 1 });
  return half(b.op1('FastGelu', [half(x)], {}, 'com.microsoft'));
}
