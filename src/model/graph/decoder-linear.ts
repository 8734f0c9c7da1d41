// Linear layers x·Wᵀ (+ bias) of the decoder graph: MatMul on float weights, MatMulNBits on
// block-quantized ones; layers that read the same x (Q/K/V, gate/up) fused into one product.

import type { KvType } from '../kv-type';
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
  /** Element type of the past KV inputs and present outputs; attention computes in float32 either way. */
  kvType: KvType;
}

export function need(ctx: LayerContext, name: string): Weight {
  const w = ctx.weights.get(name);
  if (!w) throw new MissingWeightError(name);
  return w;
}

export function needFloat(ctx: LayerContext, name: string, length: number): FloatWeight {
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
  return fusedLinear(ctx, x, [base], [N], K) as string;
}

/**
 * x [.., K] → x·[W₁; W₂; …]ᵀ (+ biases) [.., ΣNᵢ]: one product over the parts' rows, concatenated in the
 * external data without a copy. Per-node overhead is most of a decoding step, and one wider product uses
 * the kernel better. Undefined when the parts do not share a layout (float or the same bits, block
 * size and kind of zero points; biases on all or none).
 */
export function fusedLinear(
  ctx: LayerContext,
  x: string,
  bases: string[],
  Ns: number[],
  K: number,
): string | undefined {
  const { b } = ctx;
  const ws = bases.map((base) => need(ctx, `${base}.weight`));
  const hasBias = bases.map((base) => ctx.weights.get(`${base}.bias`) !== undefined);
  if (!hasBias.every((has) => has === hasBias[0]) || !sameLayout(ws)) return undefined;
  const N = Ns.reduce((a, n) => a + n, 0);
  const name = `${bases.join('+')}.weight`;
  const bias = hasBias[0]
    ? b.weight(
        `${bases.join('+')}.bias`,
        'float',
        [N],
        bases.map((base, i) => needFloat(ctx, `${base}.bias`, Ns[i] as number).data),
      )
    : undefined;
  const first = ws[0] as Weight;
  if (first.kind === 'nbits') {
    const parts = ws as NBitsWeight[];
    parts.forEach((w, i) => checkNBits(`${bases[i]}.weight`, w, Ns[i] as number, K));
    return matMulNBitsParts(ctx, x, name, parts, N, bias);
  }
  const floats = ws as FloatWeight[];
  floats.forEach((w, i) => {
    if (w.dims.length !== 2 || w.dims[0] !== Ns[i] || w.dims[1] !== K)
      throw new WeightShapeError(`${bases[i]}.weight`, `float [${Ns[i]}, ${K}]`, describe(w));
  });
  // MatMul wants B as [K, N]; GGUF rows are output channels.
  const init = b.weight(
    name,
    'float',
    [K, N],
    transposeRows(
      floats.map((w) => w.data),
      K,
      N,
    ),
  );
  // TensorProto types: 10 float16, 1 float.
  const input = first.halfInputs ? b.op1('Cast', [b.op1('Cast', [x], { to: 10 })], { to: 1 }) : x;
  const y = b.op1('MatMul', [input, init]);
  return bias ? b.op1('Add', [y, bias]) : y;
}

function sameLayout(ws: Weight[]): boolean {
  const [first] = ws;
  if (!first) return false;
  const zpKind = (w: NBitsWeight): string =>
    w.zeroPoints === undefined ? 'none' : w.zeroPoints instanceof Float32Array ? 'float' : 'uint8';
  return ws.every((w) => {
    if (first.kind === 'float' || w.kind === 'float')
      return w.kind === 'float' && first.kind === 'float' && w.halfInputs === first.halfInputs;
    return (
      w.bits === first.bits &&
      w.blockSize === first.blockSize &&
      zpKind(w) === zpKind(first) &&
      (w.offsets === undefined) === (first.offsets === undefined)
    );
  });
}

function checkNBits(name: string, w: NBitsWeight, N: number, K: number): void {
  const blocks = Math.ceil(K / w.blockSize);
  const blockBytes = (w.blockSize * w.bits) / 8;
  if (
    w.N !== N ||
    w.K !== K ||
    w.packed.length !== N * blocks * blockBytes ||
    w.scales.length !== N * blocks ||
    (w.offsets !== undefined && w.offsets.length !== N * blocks)
  )
    throw new WeightShapeError(
      name,
      `${w.bits}-bit [${N}, ${K}] in blocks of ${w.blockSize}`,
      describe(w),
    );
}

export function matMulNBits(
  ctx: LayerContext,
  x: string,
  name: string,
  w: NBitsWeight,
  N: number,
  K: number,
): string {
  checkNBits(name, w, N, K);
  return matMulNBitsParts(ctx, x, name, [w], N);
}

/** One MatMulNBits over parts whose rows are concatenated (checked, same layout); bias [N] optional. */
function matMulNBitsParts(
  ctx: LayerContext,
  x: string,
  name: string,
  parts: NBitsWeight[],
  N: number,
  bias?: string,
): string {
  const { b } = ctx;
  const { bits, blockSize, K, zeroPoints } = parts[0] as NBitsWeight;
  const blocks = Math.ceil(K / blockSize);
  const inputs = [
    x,
    b.weight(
      `${name}.packed`,
      'uint8',
      [N, blocks, (blockSize * bits) / 8], // [N, K/bs, bs·bits/8]
      parts.map((w) => w.packed),
    ),
    b.weight(
      `${name}.scales`,
      'float',
      [N * blocks],
      parts.map((w) => w.scales),
    ), // [N·K/bs]
  ];
  const zps = parts.map((w) => w.zeroPoints) as (Uint8Array | Float32Array)[];
  if (zeroPoints instanceof Float32Array)
    inputs.push(b.weight(`${name}.zero_points`, 'float', [N * blocks], zps));
  else if (zeroPoints) {
    const length = zps.reduce((a, z) => a + z.length, 0);
    inputs.push(b.weight(`${name}.zero_points`, 'uint8', [length], zps));
  }
  // Optional inputs 3 (zero points) and 4 (g_idx) left empty before the bias.
  if (bias) inputs.push(...(zeroPoints ? [] : ['']), '', bias);
  const attrs = { K, N, bits, block_size: blockSize, accuracy_level: ctx.accuracyLevel };
  const y = b.op1('MatMulNBits', inputs, attrs, 'com.microsoft'); // [S, N]
  if (!parts[0]?.offsets) return y;
  // Per-block offsets: y − (x summed over each block) · offsetsᵀ, a [S, K/bs] × [K/bs, N] product.
  const sums = b.op1(
    'ReduceSum',
    [b.op1('Reshape', [x, b.constInt64([-1, blocks, blockSize])]), b.constInt64([2])],
    { keepdims: 0 },
  ); // [S, K/bs]
  const offsets = b.weight(
    `${name}.offsets`,
    'float',
    [blocks, N],
    [
      transposeRows(
        parts.map((w) => w.offsets as Float32Array),
        blocks,
        N,
      ),
    ],
  ); // [K/bs, N]
  return b.op1('Sub', [y, b.op1('MatMul', [sums, offsets])]);
}

/** Parts [Nᵢ, K] row-major (weights, or per-block offsets with K = blocks), stacked → [K, ΣNᵢ]. */
function transposeRows(parts: Float32Array[], K: number, N: number): Float32Array {
  const out = new Float32Array(K * N);
  let col = 0;
  for (const data of parts) {
    const rows = data.length / K;
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < K; c++) out[c * N + col + r] = data[r * K + c] as number;
    col += rows;
  }
  return out;
}
