// Runs each GGUF → MatMulNBits mapping through onnxruntime's CPU kernel and compares with x · dequantize(W)ᵀ.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import {
  dequantize,
  GGML_TYPES,
  quantize,
  type GgmlTypeName,
} from '../../../src/model/gguf/ggml-types';
import { floatToHalf } from '../../../src/model/half';
import { seededRandom } from '../../../src/model/sampling';
import { toMatMulNBits, type MatMulNBitsWeight } from '../../../src/model/gguf/matmul-nbits';

const F = onnx.TensorProto.DataType.FLOAT;
const U8 = onnx.TensorProto.DataType.UINT8;

function tensor(
  name: string,
  type: number,
  dims: number[],
  data: Uint8Array | Float32Array,
): onnx.ITensorProto {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { name, dataType: type, dims, rawData: raw };
}

/** A one-node model: Y [M, N] = MatMulNBits(A [M, K], weight). */
function oneNodeModel(w: MatMulNBitsWeight, N: number, K: number): Uint8Array {
  const blocks = K / w.blockSize;
  const inits = [
    tensor('B', U8, [N, blocks, (w.blockSize * w.bits) / 8], w.packed),
    tensor('scales', F, [N, blocks], w.scales),
  ];
  if (w.zeroPoints) inits.push(tensor('zero_points', F, [N, blocks], w.zeroPoints));
  const T = onnx.AttributeProto.AttributeType;
  const int = (name: string, i: number) => ({ name, type: T.INT, i });
  const io = (name: string, dims: Array<number | string>): onnx.IValueInfoProto => ({
    name,
    type: {
      tensorType: {
        elemType: F,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  });
  const node: onnx.INodeProto = {
    opType: 'MatMulNBits',
    domain: 'com.microsoft',
    input: ['A', 'B', 'scales', ...(w.zeroPoints ? ['zero_points'] : [])],
    output: ['Y'],
    attribute: [
      int('K', K),
      int('N', N),
      int('bits', w.bits),
      int('block_size', w.blockSize),
      int('accuracy_level', 0),
    ],
  };
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: {
      name: 'g',
      node: [node],
      initializer: inits,
      input: [io('A', ['M', K])],
      output: [io('Y', ['M', N])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Deterministic pseudo-random numbers in [0, 1) (sampling's mulberry32), so failures reproduce. */
const random = seededRandom;

/** Random bytes for K-quant blocks, with each block's f16 scale fields set to small finite values. */
function kQuantBytes(type: GgmlTypeName, count: number, rand: () => number): Uint8Array {
  const info = GGML_TYPES[type];
  const bytes = Uint8Array.from({ length: (count / info.blockSize) * info.blockBytes }, () =>
    Math.floor(rand() * 256),
  );
  const v = new DataView(bytes.buffer);
  for (let o = 0; o < bytes.length; o += info.blockBytes) {
    if (type === 'Q6_K') v.setUint16(o + 208, floatToHalf(0.001 + rand() * 0.002), true);
    else {
      v.setUint16(o, floatToHalf(0.001 + rand() * 0.002), true);
      v.setUint16(o + 2, floatToHalf(0.001 + rand() * 0.002), true);
    }
  }
  return bytes;
}

function weightBytes(type: GgmlTypeName, count: number, rand: () => number): Uint8Array {
  if (type === 'Q8_0' || type === 'Q4_0')
    return quantize(
      type,
      Float32Array.from({ length: count }, () => rand() * 2 - 1),
    );
  return kQuantBytes(type, count, rand);
}

const cases: Array<[GgmlTypeName, number, number]> = [
  ['Q8_0', 8, 64],
  ['Q4_0', 8, 64],
  ['Q4_K', 4, 512],
  ['Q6_K', 4, 512],
];

for (const [type, N, K] of cases) {
  test(`${type} [${N}, ${K}] through MatMulNBits equals x · dequantize(W)ᵀ`, async () => {
    const rand = random(7);
    const bytes = weightBytes(type, N * K, rand);
    const w = toMatMulNBits(GGML_TYPES[type].id, bytes, N, K);
    assert.ok(w);
    const W = dequantize(type, bytes, N * K); // [N, K]
    const M = 3;
    const x = Float32Array.from({ length: M * K }, () => rand() * 2 - 1); // [M, K]
    const session = await ort.InferenceSession.create(oneNodeModel(w, N, K));
    try {
      const { Y } = await session.run({ A: new ort.Tensor('float32', x, [M, K]) });
      const y = Y!.data as Float32Array; // [M, N]
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let want = 0;
          let mag = 0;
          for (let k = 0; k < K; k++) {
            want += x[m * K + k]! * W[n * K + k]!;
            mag += Math.abs(x[m * K + k]! * W[n * K + k]!);
          }
          // Per-block offsets (Q4_K's minimums) are the graph's second product: Σ_blocks Σx · offset.
          let got = y[m * N + n]!;
          for (let b = 0; w.offsets && b < K / w.blockSize; b++) {
            let sum = 0;
            for (let k = b * w.blockSize; k < (b + 1) * w.blockSize; k++) sum += x[m * K + k]!;
            got -= sum * w.offsets[n * (K / w.blockSize) + b]!;
          }
          assert.ok(Math.abs(got - want) <= 1e-4 * mag, `${type} [${m}, ${n}]: ${got} vs ${want}`);
        }
      }
    } finally {
      await session.release();
    }
  });
}

test('Q4_K keeps its 4 bits: scale · (q − 8) and an offset per block, a scale-0 sub-block the offset alone', () => {
  const bytes = new Uint8Array(144);
  const v = new DataView(bytes.buffer);
  v.setUint16(0, floatToHalf(1), true);
  v.setUint16(2, floatToHalf(1), true);
  bytes[4 + 4] = 5; // sub-block 0: scale 0, min 5 (every value −5)
  bytes[4 + 1] = 2; // sub-block 1: scale 2, min 0
  bytes.fill(0x31, 16, 48); // sub-blocks 0 and 1: q 1 (low nibbles) and 3 (high)
  const w = toMatMulNBits(GGML_TYPES.Q4_K.id, bytes, 1, 256);
  assert.equal(w?.bits, 4);
  const W = dequantize('Q4_K', bytes, 256);
  const value = (k: number) => {
    const b = Math.floor(k / 32);
    const byte = w.packed[k >> 1]!;
    const q = k & 1 ? byte >> 4 : byte & 15;
    return w.scales[b]! * (q - 8) - w.offsets![b]!;
  };
  for (let k = 0; k < 256; k++) assert.equal(value(k) + 0, W[k]! + 0, `value ${k}`); // −0 is 0
  assert.equal(W[0], -5);
  assert.equal(W[32], 6);
  assert.equal(toMatMulNBits(GGML_TYPES.Q5_K.id, new Uint8Array(176), 1, 256), undefined);
});
