// The per-layer pieces of the decoder graph other than attention: linear layers (MatMul or MatMulNBits),
// norms (RMSNorm or LayerNorm with bias) and the MLPs (SwiGLU or GELU-tanh), on activations [S, D].

import type { OnnxGraphBuilder } from './onnx-graph';
import {
  MissingWeightError,
  WeightShapeError,
  type DecoderSpec,
  type FloatWeight,
  type NBitsWeight,
  type Weight,
  type WeightSource,
} from './decoder-spec';

export interface LayerContext {
  b: OnnxGraphBuilder;
  spec: DecoderSpec;
  weights: WeightSource;
  /** MatMulNBits accuracy_level: 4 (int8 activations) decodes about 80× faster than 1 on the CPU here. */
  accuracyLevel: number;
}

export function need(ctx: LayerContext, name: string): Weight {
  const w = ctx.weights.get(name);
  if (!w) throw new MissingWeightError(name);
  return w;
}

function needFloat(ctx: LayerContext, name: string, length: number): FloatWeight {
  const w = need(ctx, name);
  if (w.kind !== 'float' || w.data.length !== length)
    throw new WeightShapeError(name, `float [${length}]`, describe(w));
  return w;
}

function describe(w: Weight): string {
  return w.kind === 'float' ? `float [${w.dims.join(', ')}]` : `${w.bits}-bit [${w.N}, ${w.K}]`;
}

/** x [.., K] → x·Wᵀ (+ bias) [.., N] for the weight `${base}.weight` [N, K] and optional `${base}.bias`. */
export function linear(ctx: LayerContext, x: string, base: string, N: number, K: number): string {
  const name = `${base}.weight`;
  const w = need(ctx, name);
  let y: string;
  if (w.kind === 'nbits') {
    y = matMulNBits(ctx, x, name, w, N, K);
  } else {
    if (w.dims.length !== 2 || w.dims[0] !== N || w.dims[1] !== K)
      throw new WeightShapeError(name, `float [${N}, ${K}]`, describe(w));
    // MatMul wants B as [K, N]; GGUF rows are output channels.
    const init = ctx.b.weight(name, 'float', [K, N], transpose(w.data, N, K));
    y = ctx.b.op1('MatMul', [x, init]);
  }
  const bias = ctx.weights.get(`${base}.bias`);
  if (!bias) return y;
  const bName = `${base}.bias`;
  const bw = needFloat(ctx, bName, N);
  return ctx.b.op1('Add', [y, ctx.b.weight(bName, 'float', [N], bw.data)]);
}

export function matMulNBits(
  ctx: LayerContext,
  x: string,
  name: string,
  w: NBitsWeight,
  N: number,
  K: number,
): string {
  const blocks = Math.ceil(K / w.blockSize);
  const blockBytes = (w.blockSize * w.bits) / 8;
  if (
    w.N !== N ||
    w.K !== K ||
    w.packed.length !== N * blocks * blockBytes ||
    w.scales.length !== N * blocks
  )
    throw new WeightShapeError(
      name,
      `${w.bits}-bit [${N}, ${K}] in blocks of ${w.blockSize}`,
      describe(w),
    );
  const { b } = ctx;
  const inputs = [
    x,
    b.weight(`${name}.packed`, 'uint8', [N, blocks, blockBytes], w.packed), // [N, K/bs, bs·bits/8]
    b.weight(`${name}.scales`, 'float', [N * blocks], w.scales), // [N·K/bs]
  ];
  if (w.zeroPoints instanceof Float32Array)
    inputs.push(b.weight(`${name}.zero_points`, 'float', [N * blocks], w.zeroPoints));
  else if (w.zeroPoints)
    inputs.push(b.weight(`${name}.zero_points`, 'uint8', [w.zeroPoints.length], w.zeroPoints));
  const attrs = { K, N, bits: w.bits, block_size: w.blockSize, accuracy_level: ctx.accuracyLevel };
  return b.op1('MatMulNBits', inputs, attrs, 'com.microsoft');
}

/** [rows, cols] row-major → [cols, rows]. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  return out;
}

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
  const gate = linear(ctx, h, `${p}.ffn_gate`, spec.ffnDim, spec.dim); // [S, F]
  const up = linear(ctx, h, `${p}.ffn_up`, spec.ffnDim, spec.dim); // [S, F]
  const silu = b.op1('Mul', [gate, b.op1('Sigmoid', [gate])]);
  return linear(ctx, b.op1('Mul', [silu, up]), `${p}.ffn_down`, spec.dim, spec.ffnDim);
}

/** GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); opset 17 has no Gelu. */
function geluTanh(b: OnnxGraphBuilder, x: string): string {
  const x3 = b.op1('Mul', [b.op1('Mul', [x, x]), x]);
  const inner = b.op1('Add', [x, b.op1('Mul', [x3, b.constFloat([0.044715], [])])]);
  const t = b.op1('Tanh', [b.op1('Mul', [inner, b.constFloat([Math.sqrt(2 / Math.PI)], [])])]);
  const half = b.op1('Mul', [x, b.constFloat([0.5], [])]);
  return b.op1('Mul', [half, b.op1('Add', [t, b.constFloat([1], [])])]);
}
