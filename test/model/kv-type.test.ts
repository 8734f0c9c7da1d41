// The KV type policy as a pure function: what `auto` picks for real model shapes and memory, and what
// an explicit choice does.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseKvType, KvTypeUnavailableError, type KvChoiceInput } from '../../src/model/kv-type';

const GiB = 2 ** 30;
// Qwen2.5-Coder shapes: 1.5B has 28 layers, 2 kv heads of 128; 0.5B 24 layers, 2 kv heads of 64.
const qwen15: KvChoiceInput = {
  setting: 'auto',
  offered: ['float32', 'float16'],
  nLayers: 28,
  nKvHeads: 2,
  headDim: 128,
  budget: 32768,
  weightsBytes: 1.65e9,
  available: 16 * GiB,
};
const qwen05: KvChoiceInput = {
  ...qwen15,
  nLayers: 24,
  headDim: 64,
  budget: 4096,
  weightsBytes: 0.53e9,
};

test('auto: the 1.5B model at 32k tokens takes fp16 (fp32 would be 1.75 GiB)', () => {
  const c = chooseKvType(qwen15);
  assert.equal(c.type, 'float16');
  assert.match(
    c.reason,
    /fp32 would be 1\.75 GiB at 32768 tokens \(over 1\.00 GiB\), fp16 is 896 MiB/,
  );
});

test('auto: the 0.5B model at 4k tokens keeps fp32 (96 MiB)', () => {
  const c = chooseKvType(qwen05);
  assert.equal(c.type, 'float32');
  assert.match(c.reason, /96 MiB at 4096 tokens/);
});

test('auto: the 1.5B model at 4k tokens keeps fp32 when it fits', () => {
  assert.equal(chooseKvType({ ...qwen15, budget: 4096 }).type, 'float32');
});

test('auto: fp16 when the fp32 cache would not fit in free memory but fp16 does', () => {
  // 0.5B at 16k: fp32 384 MiB, fp16 192 MiB; with the weights and margins 1.34 GiB against 1.11 GiB.
  const tight = { ...qwen05, budget: 16384, available: 1.25 * GiB };
  const c = chooseKvType(tight);
  assert.equal(c.type, 'float16');
  assert.match(c.reason, /would not fit/);
  assert.equal(chooseKvType({ ...tight, available: 2 * GiB }).type, 'float32');
});

test('auto: a model without an fp16 graph stays fp32, however big the cache', () => {
  const c = chooseKvType({ ...qwen15, offered: ['float32'], available: GiB });
  assert.equal(c.type, 'float32');
  assert.match(c.reason, /no fp16-KV graph/);
});

test('an explicit type is taken as set; float16 of a model without its graph is a named error', () => {
  assert.equal(chooseKvType({ ...qwen15, setting: 'float32' }).type, 'float32');
  assert.equal(chooseKvType({ ...qwen05, setting: 'float16' }).type, 'float16');
  assert.throws(
    () => chooseKvType({ ...qwen05, setting: 'float16', offered: ['float32'] }, '/models/tiny'),
    (e: Error) => {
      assert.ok(e instanceof KvTypeUnavailableError);
      assert.match(e.message, /\/models\/tiny has graphs for float32 only/);
      return true;
    },
  );
});
