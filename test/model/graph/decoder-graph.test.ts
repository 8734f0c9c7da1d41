// The TypeScript-built decoder graph from models/tiny's weights (its model.gguf): golden cases (PyTorch's
// outputs) through the engine, random calls on a nonempty cache against a float64 reference, and the same
// weights as 8-bit MatMulNBits.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import {
  buildDecoderGraph,
  ExternalDataMismatchError,
  writeDecoderModel,
} from '../../../src/model/graph/decoder-graph';
import type { DecoderSpec, FloatWeight, Weight } from '../../../src/model/graph/decoder-spec';
import { maxAbsDiff, readGolden, runGolden } from '../../../src/model/golden';
import { OnnxModel } from '../../../src/model/onnx-backend';
import { tempDir } from '../../temp-dir';
import { writeLoadableV2Folder } from '../v2-folder';
import { randomInputs, runContract } from './contract-run';
import { quantize8 } from './quantize';
import { referenceForward } from './reference-forward';
import { tinySpec, tinyWeights } from './tiny-weights';

const spec: DecoderSpec = tinySpec();
const weights = tinyWeights();

describe('decoder graph built from models/tiny weights', () => {
  const dir = tempDir('ropewalk-graph-');
  let built: OnnxModel;
  before(async () => {
    await writeLoadableV2Folder(dir, weights);
    built = await OnnxModel.load(dir);
  });
  after(async () => {
    await built.dispose();
  });

  test('reads every tensor of model.gguf under its GGUF name', () => {
    assert.equal(weights.size, 2 + spec.nLayers * 9);
    assert.deepEqual((weights.get('blk.1.ffn_down.weight') as FloatWeight).dims, [
      spec.dim,
      spec.ffnDim,
    ]);
  });

  test('keeps weights out of the protobuf and declares contract 3', () => {
    const graph = buildDecoderGraph(spec, { get: (n) => weights.get(n) });
    assert.ok(graph.model.byteLength < 64 * 1024, `model.onnx is ${graph.model.byteLength} bytes`);
    assert.ok(graph.externalData.length > 4_000_000);
    const meta = new Map(
      onnx.ModelProto.decode(graph.model).metadataProps.map((p) => [p.key, p.value]),
    );
    assert.equal(meta.get('ropewalk.contract'), '3');
    const config = JSON.parse(meta.get('ropewalk.config') as string) as Record<string, unknown>;
    assert.equal(config.kv_dtype, 'float32');
    assert.equal(config.n_kv_heads, spec.nKvHeads);
  });

  test('the fp16-KV variant changes only the KV boundary: same weights and layout, float16 past and present', () => {
    const source = { get: (n: string) => weights.get(n) };
    const fp32 = buildDecoderGraph(spec, source);
    const fp16 = buildDecoderGraph(spec, source, { kvType: 'float16' });
    assert.equal(fp16.kvType, 'float16');
    assert.equal(fp16.externalData.length, fp32.externalData.length);
    const proto = onnx.ModelProto.decode(fp16.model);
    const graph = proto.graph as onnx.IGraphProto;
    const elem = (v: onnx.IValueInfoProto) => v.type?.tensorType?.elemType;
    const F16 = onnx.TensorProto.DataType.FLOAT16;
    for (const v of [...(graph.input ?? []), ...(graph.output ?? [])]) {
      const kv = /^(past_key_values|present)\./.test(v.name as string);
      assert.equal(elem(v) === F16, kv, `${v.name as string}`);
    }
    // One Cast per past input (to float) and per present output (to fp16), two of each per layer.
    const casts = (graph.node ?? []).filter((n) => n.opType === 'Cast').length;
    const castsFp32 = (onnx.ModelProto.decode(fp32.model).graph?.node ?? []).filter(
      (n) => n.opType === 'Cast',
    ).length;
    assert.equal(casts - castsFp32, 4 * spec.nLayers);
    const config = JSON.parse(
      proto.metadataProps.find((p) => p.key === 'ropewalk.config')?.value as string,
    ) as Record<string, unknown>;
    assert.equal(config.kv_dtype, 'float16');
  });

  test('products over the cache are Gemm, never MatMul (WebGPU MatMul crashes on an empty cache)', () => {
    for (const kvType of ['float32', 'float16'] as const) {
      const proto = onnx.ModelProto.decode(
        buildDecoderGraph(spec, { get: (n) => weights.get(n) }, { kvType }).model,
      );
      const nodes = proto.graph?.node ?? [];
      // Values that are the cache's values (through Cast/Reshape) or the ones over its length (Expand).
      const overCache = new Set<string>();
      for (const n of nodes) {
        const input = n.input?.[0] ?? '';
        const fromPast = /^past_key_values\.\d+\.value$/.test(input) || overCache.has(input);
        if ((fromPast && (n.opType === 'Cast' || n.opType === 'Reshape')) || n.opType === 'Expand')
          for (const o of n.output ?? []) overCache.add(o);
      }
      const products = nodes.filter(
        (n) =>
          n.opType !== 'Cast' &&
          n.opType !== 'Reshape' &&
          (n.input ?? []).some((i) => overCache.has(i)),
      );
      assert.equal(products.length, 2 * spec.nLayers, `${kvType}: products over the cache`);
      for (const n of products) assert.equal(n.opType, 'Gemm', `${kvType}: ${n.name as string}`);
    }
  });

  test('graphs written together must share their external data layout', async (t) => {
    const quantized = new Map<string, Weight>(weights);
    const name = 'blk.0.ffn_up.weight';
    quantized.set(name, quantize8(weights.get(name) as FloatWeight, 32));
    const a = buildDecoderGraph(spec, { get: (n) => weights.get(n) });
    const b = buildDecoderGraph(spec, { get: (n) => quantized.get(n) }, { kvType: 'float16' });
    await assert.rejects(
      writeDecoderModel(tempDir('ropewalk-graph-pair-', t), a, b),
      ExternalDataMismatchError,
    );
  });

  test('the engine replays the golden cases within 1e-4 of PyTorch', async () => {
    const model = await OnnxModel.load(dir);
    try {
      const golden = readGolden(dir);
      for (const r of await runGolden(model, golden)) {
        assert.ok(r.maxAbsDiff <= 1e-4, `${r.name}: max |built − torch| = ${r.maxAbsDiff}`);
        assert.ok((r.reuseMaxAbsDiff ?? 0) <= 1e-4, `${r.name}: reuse ${r.reuseMaxAbsDiff}`);
      }
    } finally {
      await model.dispose();
    }
  });

  test('logits and presents equal a float64 reference on a nonempty cache and an empty one', async () => {
    for (const [s, p] of [
      [5, 7],
      [1, 12],
      [4, 0],
    ] as const) {
      const x = randomInputs(spec, s, p, 17 + s + p);
      const [a, b] = [referenceForward(spec, weights, x), await runContract(built, x)];
      assert.ok(maxAbsDiff(a.logits, b.logits) <= 1e-4, `S=${s} P=${p} logits`);
      for (let i = 0; i < spec.nLayers; i++) {
        const dk = maxAbsDiff(a.presentKeys[i] as Float32Array, b.presentKeys[i] as Float32Array);
        const dv = maxAbsDiff(
          a.presentValues[i] as Float32Array,
          b.presentValues[i] as Float32Array,
        );
        assert.ok(dk <= 1e-4 && dv <= 1e-4, `S=${s} P=${p} layer ${i}: keys ${dk}, values ${dv}`);
      }
    }
  });

  test('8-bit MatMulNBits weights and table (GatherBlockQuantized) stay close and keep the top-1 token', async (t) => {
    const quantized = new Map<string, Weight>(weights);
    for (const [name, w] of weights) if (w.dims.length === 2) quantized.set(name, quantize8(w, 32)); // the tied table too
    const qdir = await writeLoadableV2Folder(tempDir('ropewalk-graph-q8-', t), quantized);
    const session = await OnnxModel.load(qdir);
    try {
      const x = randomInputs(spec, 16, 9, 5);
      const [a, b] = [await runContract(built, x), await runContract(session, x)];
      const delta = maxAbsDiff(a.logits, b.logits);
      const same = top1Agreement(a.logits, b.logits, spec.vocabSize);
      t.diagnostic(`8-bit block 32: max |Δ logits| = ${delta.toFixed(4)}, top-1 equal ${same}/16`);
      assert.ok(delta < 0.1, `max |Δ| = ${delta}`);
      assert.ok(same >= 14, `top-1 equal on ${same} of 16`);
    } finally {
      await session.dispose();
    }
  });
});

function top1Agreement(a: Float32Array, b: Float32Array, vocab: number): number {
  const argmax = (x: Float32Array, row: number) => {
    let best = 0;
    for (let j = 1; j < vocab; j++)
      if ((x[row * vocab + j] as number) > (x[row * vocab + best] as number)) best = j;
    return best;
  };
  let same = 0;
  for (let r = 0; r < a.length / vocab; r++) if (argmax(a, r) === argmax(b, r)) same++;
  return same;
}
