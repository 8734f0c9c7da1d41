import assert from 'node:assert/strict';
import { OnnxModel } from '../../src/model/onnx-backend';
import { committedModel } from '../test-models';
import { test } from 'node:test';
import {
  checkMemory,
  kvCacheBytes,
  ModelTooBigError,
  neededBytes,
} from '../../src/model/memory-check';

// Qwen2.5-Coder-1.5B's shape: 28 layers, 2 kv heads of 128; Q8_0 weights ≈ 1.65 GB.
const qwen15 = {
  weightsBytes: 1.65e9,
  nLayers: 28,
  nKvHeads: 2,
  headDim: 128,
  budget: 32768,
  kvBytesPerValue: 4,
};
const GiB = 2 ** 30;

test('the KV cache of a 1.5B model at 32k tokens is 1.75 GiB in fp32, half in fp16', () => {
  assert.equal(kvCacheBytes(qwen15, 32768), 2 * 28 * 2 * 128 * 4 * 32768);
  assert.equal(
    kvCacheBytes({ ...qwen15, kvBytesPerValue: 2 }, 32768) * 2,
    kvCacheBytes(qwen15, 32768),
  );
});

test('what fits passes; what does not names the budget that would fit', () => {
  assert.ok(checkMemory(qwen15, 16 * GiB, 24 * GiB).needed < 16 * GiB);
  assert.throws(
    () => checkMemory(qwen15, 3 * GiB, 8 * GiB),
    (e: Error) => {
      assert.ok(e instanceof ModelTooBigError);
      const m = /a context budget of (\d+) tokens fits/.exec(e.message);
      assert.ok(m, e.message);
      const fits = Number(m[1]);
      assert.ok(fits >= 1024 && fits < 32768);
      assert.ok(neededBytes({ ...qwen15, budget: fits }) <= 3 * GiB);
      assert.match(e.message, /fp16 KV cache/);
      return true;
    },
  );
});

test('an fp16 cache is suggested only where the model has an fp16-KV graph and the cache is fp32', () => {
  const advice = (need: typeof qwen15 & { fp16Offered?: boolean }) => {
    try {
      checkMemory(need, 3 * GiB, 8 * GiB);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  assert.match(advice(qwen15), /or an fp16 KV cache \(ropewalk\.kvCacheType\)/);
  assert.doesNotMatch(advice({ ...qwen15, fp16Offered: false }), /fp16/);
  assert.doesNotMatch(advice({ ...qwen15, kvBytesPerValue: 2, budget: 65536 }), /fp16/);
});

test('weights that do not fit at all say so: a smaller quantization or model', () => {
  assert.throws(
    () => checkMemory({ ...qwen15, weightsBytes: 15e9 }, 8 * GiB, 16 * GiB),
    /smaller quantization \(Q4_K_M\) or a smaller model/,
  );
});

test('loading checks memory first: a budget no machine holds is refused by name, before a session exists', async () => {
  const dir = committedModel('tiny');
  await assert.rejects(OnnxModel.load(dir, { provider: 'cpu', contextTokens: 1e9 }), (e: Error) => {
    assert.ok(e instanceof ModelTooBigError);
    assert.match(e.message, /at 1000000000 tokens .*a context budget of \d+ tokens fits/);
    return true;
  });
  const model = await OnnxModel.load(dir, { provider: 'cpu', contextTokens: 4096 });
  await model.dispose();
});
