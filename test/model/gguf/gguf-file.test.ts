// GGUF writer → reader round trips, and the reader's errors on files it cannot use.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GGML_TYPES, quantize } from '../../../src/model/gguf/ggml-types';
import { GgufFormatError, readGguf, readTensor } from '../../../src/model/gguf/gguf-file';
import { writeGguf, type GgufContents } from '../../../src/model/gguf/gguf-writer';
import { tempDir } from '../../temp-dir';

const every: GgufContents['metadata'] = [
  ['general.architecture', { type: 'string', value: 'qwen2' }],
  ['t.u8', { type: 'u8', value: 255 }],
  ['t.i8', { type: 'i8', value: -128 }],
  ['t.u16', { type: 'u16', value: 65535 }],
  ['t.i16', { type: 'i16', value: -32768 }],
  ['t.u32', { type: 'u32', value: 4294967295 }],
  ['t.i32', { type: 'i32', value: -2147483648 }],
  ['t.f32', { type: 'f32', value: Math.fround(1e-6) }],
  ['t.f64', { type: 'f64', value: Math.PI }],
  ['t.bool', { type: 'bool', value: true }],
  ['t.u64', { type: 'u64', value: 2n ** 64n - 1n }],
  ['t.i64', { type: 'i64', value: -(2n ** 63n) }],
  ['t.utf8', { type: 'string', value: '<｜fim▁begin｜> ü' }],
  ['a.u8', { type: 'array', itemType: 'u8', value: Uint8Array.of(1, 2, 3) }],
  ['a.i32', { type: 'array', itemType: 'i32', value: Int32Array.of(1, -2, 3) }],
  ['a.f32', { type: 'array', itemType: 'f32', value: Float32Array.of(0.5, -1) }],
  ['a.u64', { type: 'array', itemType: 'u64', value: BigUint64Array.of(1n, 2n ** 63n) }],
  ['a.bool', { type: 'array', itemType: 'bool', value: [true, false, true] }],
  ['a.string', { type: 'array', itemType: 'string', value: ['a', '', 'Ġhello'] }],
  ['a.empty', { type: 'array', itemType: 'f64', value: new Float64Array(0) }],
  [
    'a.nested',
    {
      type: 'array',
      itemType: 'array',
      value: [{ type: 'array', itemType: 'i16', value: Int16Array.of(-1, 7) }],
    },
  ],
];

function fixture(dir: string, alignment?: number): { path: string; contents: GgufContents } {
  const w = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
  const meta: GgufContents['metadata'] = [...every];
  if (alignment) meta.push(['general.alignment', { type: 'u32', value: alignment }]);
  const contents: GgufContents = {
    metadata: meta,
    tensors: [
      {
        name: 'odd',
        dims: [3],
        type: GGML_TYPES.F32.id,
        data: quantize('F32', Float32Array.of(1, 2, 3)),
      },
      { name: 'w', dims: [32, 2], type: GGML_TYPES.Q8_0.id, data: quantize('Q8_0', w) },
      { name: 'h', dims: [5], type: GGML_TYPES.F16.id, data: quantize('F16', w.subarray(0, 5)) },
    ],
  };
  const path = join(dir, 'm.gguf');
  writeGguf(path, contents);
  return { path, contents };
}

test('every metadata value type survives a write and a read', async (t) => {
  const { path } = fixture(tempDir('gguf-', t));
  const file = await readGguf(path);
  assert.equal(file.version, 3);
  assert.deepEqual([...file.metadata.entries()], every);
});

for (const alignment of [undefined, 64]) {
  test(`tensors sit at aligned offsets and read back byte for byte (alignment ${alignment ?? 'default'})`, async (t) => {
    const { path, contents } = fixture(tempDir('gguf-', t), alignment);
    const file = await readGguf(path);
    const align = alignment ?? 32;
    assert.equal(file.alignment, align);
    assert.equal(file.dataOffset % align, 0);
    for (const want of contents.tensors) {
      const info = file.tensors.find((x) => x.name === want.name)!;
      assert.deepEqual(info.dims, want.dims);
      assert.equal(info.type, want.type);
      assert.equal(info.offset % align, 0);
      assert.equal(info.byteLength, want.data.length);
      assert.deepEqual(new Uint8Array(readTensor(file, want.name)), want.data);
    }
  });
}

test('a truncated file, a wrong magic and an unknown version are GgufFormatErrors', async (t) => {
  const dir = tempDir('gguf-', t);
  const { path } = fixture(dir);
  const bytes = readFileSync(path);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['magic', Buffer.concat([Buffer.from('GGML'), bytes.subarray(4)]), /bad magic/],
    [
      'version',
      Buffer.concat([bytes.subarray(0, 4), Buffer.from([1, 0, 0, 0]), bytes.subarray(8)]),
      /version 1/,
    ],
    ['header', bytes.subarray(0, 200), /truncated/],
    ['data', bytes.subarray(0, bytes.length - 40), /runs past the end/],
    ['empty', Buffer.alloc(0), /bad magic/],
  ];
  for (const [name, data, message] of cases) {
    const p = join(dir, `${name}.gguf`);
    writeFileSync(p, data);
    await assert.rejects(readGguf(p), (e: unknown) => {
      assert.ok(e instanceof GgufFormatError, name);
      assert.match(e.message, message);
      assert.ok(e.message.includes(p));
      return true;
    });
  }
});

test('a 151,936-entry string array reads back whole', async (t) => {
  const tokens = Array.from({ length: 151936 }, (_, i) => `tok${i}`);
  const path = join(tempDir('gguf-', t), 'vocab.gguf');
  writeGguf(path, {
    metadata: [['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: tokens }]],
    tensors: [],
  });
  const value = (await readGguf(path)).metadata.get('tokenizer.ggml.tokens')!;
  assert.equal(value.type, 'array');
  assert.deepEqual(value.value, tokens);
});

test('a version 2 file (same layout, u64 counts) reads as version 2', async (t) => {
  const { path } = fixture(tempDir('gguf-', t));
  const bytes = readFileSync(path);
  bytes.writeUInt32LE(2, 4);
  writeFileSync(path, bytes);
  const file = await readGguf(path);
  assert.equal(file.version, 2);
  assert.equal(file.tensors.length, 3);
});
