import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { CorruptModelError, ModelNotFoundError } from '../../src/model/errors';
import { GgufFormatError, readGgufSync } from '../../src/model/gguf/gguf-file';
import { plainMetadata } from '../../src/model/gguf-import/gguf-metadata';
import { GGUF_CARD_KEY, readModelFiles } from '../../src/model/model-card';
import { ModelCache } from '../../src/model/model-cache';
import { modelSourceOf, openModelFiles } from '../../src/model/model-source';
import { OnnxModel } from '../../src/model/onnx-backend';
import { tempDir } from '../temp-dir';
import { committedModel } from '../test-models';
import { writeLoadableV2Folder } from './v2-folder';

const tiny = committedModel('tiny');

async function v2Folder(t: TestContext): Promise<string> {
  return writeLoadableV2Folder(tempDir('ropewalk-model-', t));
}

test('the committed models hold model.gguf, and model-card.json is the card inside it', () => {
  for (const name of ['tiny', 'small-cpu'] as const) {
    const dir = committedModel(name);
    assert.deepEqual(modelSourceOf(dir), {
      kind: 'gguf',
      file: join(dir, 'model.gguf'),
      folder: dir,
    });
    assert.ok(!existsSync(join(dir, 'model.onnx')) && !existsSync(join(dir, 'tokenizer.json')));
    const inside = plainMetadata(readGgufSync(join(dir, 'model.gguf')))[GGUF_CARD_KEY] as string;
    const card = JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8')) as unknown;
    assert.deepEqual(card, JSON.parse(inside), `${name}: model-card.json and ropewalk.card differ`);
  }
});

test("a folder holding model.gguf is built into the cache with its card's facts", async (t) => {
  const cache = tempDir('ropewalk-cache-', t);
  const files = await openModelFiles(tiny, { cache: new ModelCache(cache) });
  assert.ok(files.dir.startsWith(cache), files.dir);
  assert.equal(files.goldenDir, tiny);
  assert.ok(files.tokenizer.endsWith('vocab.json'));
  const { card } = files;
  assert.equal(card.contract, 3);
  assert.equal(card.name, 'ropewalk-tiny');
  assert.equal(card.config.vocab_size, 16384);
  assert.equal(card.trainLength, 256);
  assert.ok(card.tokensSeen > 0 && card.heldoutLoss !== null, 'training facts from ropewalk.card');
  assert.equal(card.specialTokens['<|fim_middle|>'], 2);
  assert.deepEqual(card.stopTokens, [0]);
  assert.equal(card.source?.gguf, join(tiny, 'model.gguf'));
});

test('a contract-2 folder (model.onnx, tokenizer.json) still loads in place', async (t) => {
  const dir = await v2Folder(t);
  assert.deepEqual(modelSourceOf(dir), { kind: 'onnx', dir });
  const files = readModelFiles(dir);
  assert.equal(files.card.contract, 2);
  assert.equal(files.goldenDir, dir);
  assert.ok(files.tokenizer.endsWith('tokenizer.json'));
  const model = await OnnxModel.load(dir);
  try {
    assert.equal(model.files.dir, dir);
  } finally {
    await model.dispose();
  }
});

test('a folder without a model is ModelNotFoundError', (t) => {
  const empty = tempDir('ropewalk-empty-', t);
  assert.throws(() => readModelFiles(empty), ModelNotFoundError);
  assert.throws(() => modelSourceOf(empty), ModelNotFoundError);
});

test('a model.gguf that is not GGUF is named as such', async (t) => {
  const dir = tempDir('ropewalk-bad-gguf-', t);
  writeFileSync(join(dir, 'model.gguf'), 'not a gguf file at all');
  await assert.rejects(OnnxModel.load(dir), GgufFormatError);
});

test('a card that is not JSON, or names another contract, is CorruptModelError', async (t) => {
  const dir = await v2Folder(t);
  const card = JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8'));
  writeFileSync(join(dir, 'model-card.json'), '{ not json');
  assert.throws(() => readModelFiles(dir), CorruptModelError);
  writeFileSync(join(dir, 'model-card.json'), JSON.stringify({ ...card, contract: 99 }));
  assert.throws(() => readModelFiles(dir), /contract version 99/);
  writeFileSync(
    join(dir, 'model-card.json'),
    JSON.stringify({ ...card, config: { ...card.config, n_layers: -1 } }),
  );
  assert.throws(() => readModelFiles(dir), /n_layers/);
});

test('a truncated model.onnx is CorruptModelError, not a bare onnxruntime error', async (t) => {
  const dir = await v2Folder(t);
  const bytes = readFileSync(join(dir, 'model.onnx'));
  writeFileSync(join(dir, 'model.onnx'), bytes.subarray(0, 1000));
  await assert.rejects(OnnxModel.load(dir), CorruptModelError);
});
