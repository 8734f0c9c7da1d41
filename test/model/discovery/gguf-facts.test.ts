// What a model is, from its header alone: family, base or instruct, FIM, RoPE, weight types, memory.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { describeGguf } from '../../../src/model/discovery/gguf-facts';
import { repoRoot } from '../../repo-root';
import { tempDir } from '../../temp-dir';
import { writeModelFile, type ModelFileOptions } from './model-files';

async function facts(t: TestContext, o: ModelFileOptions, label?: string) {
  const path = writeModelFile(join(tempDir('rw-facts-', t), 'm.gguf'), o);
  return describeGguf(path, label === undefined ? {} : { label });
}

test('base or instruct: general.finetune, then the name, then the store’s name, then a chat template', async (t) => {
  const cases: Array<[ModelFileOptions, string | undefined, string, RegExp]> = [
    [
      { finetune: 'Instruct', name: 'Qwen2.5 Coder 1.5B' },
      undefined,
      'instruct',
      /general\.finetune/,
    ],
    [
      { finetune: 'base', chatTemplate: true, architecture: 'llama' },
      undefined,
      'base',
      /general\.finetune/,
    ],
    [{ name: 'Qwen2.5 Coder 7B Instruct' }, undefined, 'instruct', /its name/],
    [{ name: 'deepseek-coder-6.7b-base', architecture: 'llama' }, undefined, 'base', /its name/],
    [{ name: 'codegemma-7b-it', architecture: 'gemma' }, undefined, 'instruct', /its name/],
    [
      { architecture: 'gemma' },
      'google/codegemma-7b-it-GGUF/codegemma-7b-it-Q8_0.gguf',
      'instruct',
      /store name/,
    ],
    [
      { name: 'Qwen2.5 Coder 1.5B', chatTemplate: true },
      'qwen2.5-coder:1.5b-base-q8_0',
      'base',
      /store name/,
    ],
    // Qwen2.5's base releases carry a chat template too: it proves nothing there.
    [
      { name: 'Qwen2.5 Coder 1.5B', chatTemplate: true },
      'x.gguf',
      'unknown',
      /Qwen2\.5-Coder base models have too/,
    ],
    [
      { name: 'starcoder2-3b', architecture: 'starcoder2', chatTemplate: true },
      undefined,
      'instruct',
      /chat template/,
    ],
    [{ name: 'starcoder2-3b', architecture: 'starcoder2' }, undefined, 'base', /no chat template/],
    // A folder called `it` or `chat` higher up says nothing about the model.
    [
      { name: 'starcoder2-3b', architecture: 'starcoder2' },
      'chat/it/models/starcoder2-3b.gguf',
      'base',
      /no chat template/,
    ],
  ];
  for (const [o, label, kind, evidence] of cases) {
    const f = await facts(
      t,
      { ...o, pre: o.architecture === 'starcoder2' ? 'starcoder' : o.pre },
      label,
    );
    assert.equal(f.kind, kind, `${JSON.stringify(o)} ${label}`);
    assert.match(f.kindEvidence, evidence);
  }
});

test('families from the architecture and the name', async (t) => {
  assert.equal((await facts(t, { name: 'Qwen2.5 Coder 1.5B' })).family, 'Qwen2.5-Coder');
  assert.equal((await facts(t, { name: 'Qwen2 7B' })).family, 'Qwen2');
  assert.equal(
    (await facts(t, { architecture: 'llama', name: 'deepseek-coder-1.3b-base' })).family,
    'DeepSeek-Coder',
  );
  assert.equal(
    (await facts(t, { architecture: 'llama', name: 'CodeLlama 7B' })).family,
    'CodeLlama',
  );
  assert.equal((await facts(t, { architecture: 'llama', name: 'Llama 3.2 1B' })).family, 'llama');
  assert.equal(
    (await facts(t, { architecture: 'gemma', name: 'codegemma-2b' })).family,
    'CodeGemma',
  );
});

test('FIM tokens from the fim_*_token_id keys or by name in the vocabulary; none: prefix-only', async (t) => {
  assert.deepEqual((await facts(t, { fim: true, fimIds: true })).fim, {
    prefix: '<|fim_prefix|>',
    suffix: '<|fim_suffix|>',
    middle: '<|fim_middle|>',
    from: 'metadata',
  });
  assert.equal((await facts(t, { fim: true })).fim?.from, 'vocabulary');
  assert.equal((await facts(t, {})).fim, undefined);
});

test('context and RoPE: DeepSeek-Coder’s built-in linear ×4, a YaRN file’s scaling', async (t) => {
  const ds = await facts(t, {
    architecture: 'llama',
    name: 'deepseek-coder-1.3b-base',
    contextLength: 16384,
    ropeScaling: { type: 'linear', factor: 4 },
  });
  assert.equal(ds.contextLength, 16384);
  assert.deepEqual(ds.ownRope, { method: 'linear', factor: 4 });
  assert.deepEqual(ds.rope, { freqBase: 1e6, scalingType: 'linear', factor: 4 });
  const yarn = await facts(t, {
    name: 'Qwen2.5 Coder 7B Instruct 128K',
    contextLength: 131072,
    ropeScaling: { type: 'yarn', factor: 4, originalContext: 32768 },
  });
  assert.deepEqual(yarn.ownRope, { method: 'yarn', factor: 4 });
  assert.equal(yarn.rope.originalContext, 32768);
  const plain = await facts(t, { name: 'Qwen2.5 Coder 1.5B' });
  assert.deepEqual(plain.ownRope, { method: 'none' });
  assert.deepEqual(plain.kv, { nLayers: 1, nKvHeads: 2, headDim: 8 });
});

test('what Ropewalk does not run is said: an architecture, a weight type, a pre-tokenizer', async (t) => {
  assert.match(
    (await facts(t, { architecture: 'gemma3' })).unsupported ?? '',
    /architecture gemma3 is not one Ropewalk runs/,
  );
  assert.match(
    (await facts(t, { matrixType: 'Q2_K' })).unsupported ?? '',
    /weights of type Q2_K are not read/,
  );
  assert.match(
    (await facts(t, { pre: 'no-such-pre' })).unsupported ?? '',
    /pre-tokenizer 'no-such-pre'/,
  );
  const ok = await facts(t, {});
  assert.equal(ok.unsupported, undefined);
  assert.equal((await facts(t, { architecture: 'gemma3' })).kv, undefined);
});

test('quantization and the engine’s weight bytes: Q8_0 as 8-bit blocks, Q4_0 as 4-bit, F16 as fp32', async (t) => {
  const n = 32 * 8 + 32 * 32;
  const q8 = await facts(t, { matrixType: 'Q8_0' });
  assert.equal(q8.quantization, 'Q8_0');
  assert.deepEqual(q8.tensorTypes, { Q8_0: 2 });
  assert.equal(q8.weightsBytes, n * 1.125);
  assert.equal((await facts(t, { matrixType: 'Q4_0' })).weightsBytes, n * 0.625);
  assert.equal((await facts(t, { matrixType: 'F16' })).weightsBytes, n * 4);
});

test('a committed llama.cpp-written fixture reads as what it is', async () => {
  const f = await describeGguf(
    join(repoRoot(), 'test', 'fixtures', 'gguf-ref', 'qwen2-tiny-q8_0.gguf'),
  );
  assert.equal(f.architecture, 'qwen2');
  assert.equal(f.quantization, 'Q8_0');
  assert.equal(f.unsupported, undefined);
  assert.ok(f.parameters > 0 && f.contextLength! > 0 && f.kv);
});
