import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { CorruptModelError, ModelNotFoundError } from '../../src/model/errors';
import { readModelFiles } from '../../src/model/model-card';
import { OnnxModel } from '../../src/model/onnx-backend';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';

const tiny = join(repoRoot(), 'models', 'tiny');

function copyOfTiny(t: TestContext): string {
  const dir = tempDir('ropewalk-model-', t);
  for (const f of ['model.onnx', 'tokenizer.json', 'model-card.json'])
    copyFileSync(join(tiny, f), join(dir, f));
  return dir;
}

test('the committed tiny model has a valid card', () => {
  const files = readModelFiles(tiny);
  assert.equal(files.card.contract, 2);
  assert.equal(files.card.config.vocab_size, 16384);
  assert.ok(files.card.tokensSeen > 0);
  assert.equal(typeof files.card.specialTokens['<|fim_middle|>'], 'number');
});

test('a folder without a model is ModelNotFoundError', (t) => {
  assert.throws(() => readModelFiles(tempDir('ropewalk-empty-', t)), ModelNotFoundError);
});

test('a card that is not JSON, or names another contract, is CorruptModelError', (t) => {
  const dir = copyOfTiny(t);
  writeFileSync(join(dir, 'model-card.json'), '{ not json');
  assert.throws(() => readModelFiles(dir), CorruptModelError);
  const card = JSON.parse(readFileSync(join(tiny, 'model-card.json'), 'utf8'));
  writeFileSync(join(dir, 'model-card.json'), JSON.stringify({ ...card, contract: 99 }));
  assert.throws(() => readModelFiles(dir), /contract version 99/);
  writeFileSync(
    join(dir, 'model-card.json'),
    JSON.stringify({ ...card, config: { ...card.config, n_layers: -1 } }),
  );
  assert.throws(() => readModelFiles(dir), /n_layers/);
});

test('a truncated model.onnx is CorruptModelError, not a bare onnxruntime error', async (t) => {
  const dir = copyOfTiny(t);
  const bytes = readFileSync(join(tiny, 'model.onnx'));
  writeFileSync(join(dir, 'model.onnx'), bytes.subarray(0, 1000));
  await assert.rejects(OnnxModel.load(dir), CorruptModelError);
});
