import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CorruptModelError, ModelNotFoundError } from '../../src/model/errors';
import { readModelFiles } from '../../src/model/model-card';
import { OnnxModel } from '../../src/model/onnx-backend';
import { repoRoot } from '../repo-root';

const tiny = join(repoRoot(), 'models', 'tiny');

function copyOfTiny(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ropewalk-model-'));
  for (const f of ['model.onnx', 'tokenizer.json', 'model-card.json']) copyFileSync(join(tiny, f), join(dir, f));
  return dir;
}

test('the committed tiny model has a valid card', () => {
  const files = readModelFiles(tiny);
  assert.equal(files.card.contract, 2);
  assert.equal(files.card.config.vocab_size, 16384);
  assert.ok(files.card.tokensSeen > 0);
  assert.equal(typeof files.card.specialTokens['<|fim_middle|>'], 'number');
});

test('a folder without a model is ModelNotFoundError', () => {
  assert.throws(() => readModelFiles(mkdtempSync(join(tmpdir(), 'ropewalk-empty-'))), ModelNotFoundError);
});

test('a card that is not JSON, or names another contract, is CorruptModelError', () => {
  const dir = copyOfTiny();
  writeFileSync(join(dir, 'model-card.json'), '{ not json');
  assert.throws(() => readModelFiles(dir), CorruptModelError);
  const card = JSON.parse(readFileSync(join(tiny, 'model-card.json'), 'utf8'));
  writeFileSync(join(dir, 'model-card.json'), JSON.stringify({ ...card, contract: 99 }));
  assert.throws(() => readModelFiles(dir), /contract version 99/);
  writeFileSync(join(dir, 'model-card.json'), JSON.stringify({ ...card, config: { ...card.config, n_layers: -1 } }));
  assert.throws(() => readModelFiles(dir), /n_layers/);
});

test('a truncated model.onnx is CorruptModelError, not a bare onnxruntime error', async () => {
  const dir = copyOfTiny();
  const bytes = readFileSync(join(tiny, 'model.onnx'));
  writeFileSync(join(dir, 'model.onnx'), bytes.subarray(0, 1000));
  await assert.rejects(OnnxModel.load(dir), CorruptModelError);
});
