import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completionSettings, deviceBudget } from '../../src/completion/defaults';
import { chooseRope } from '../../src/completion/rope-choice';
import { loadTokenizer } from '../../src/model/tokenizers/load-tokenizer';
import { openModelFiles } from '../../src/model/model-source';
import { bundledModel } from '../test-models';

const card = { trainLength: 1024, defaultRope: { method: 'none' as const } };

test('a named method runs at factor budget / training length', () => {
  assert.deepEqual(chooseRope('yarn', 8192, card), {
    method: 'yarn',
    options: { factor: 8 },
    source: 'setting',
  });
  assert.deepEqual(chooseRope('linear', 512, card), {
    method: 'linear',
    options: { factor: 1 },
    source: 'setting',
  });
});

test('auto: the benchmark’s best for the budget first', () => {
  assert.deepEqual(
    chooseRope('auto', 4096, card, (b) => (b === 4096 ? 'ntk' : undefined)),
    { method: 'ntk', options: { factor: 4 }, source: 'benchmark' },
  );
});

test('auto within the training length with nothing measured: the card’s method, unscaled', () => {
  assert.deepEqual(chooseRope('auto', 512, card), {
    method: 'none',
    options: { factor: 1 },
    source: 'model card',
  });
  assert.deepEqual(chooseRope('auto', 1024, card), {
    method: 'none',
    options: { factor: 1 },
    source: 'model card',
  });
});

test('auto beyond the training length with nothing measured: a scaled method, never unscaled none', () => {
  const choice = chooseRope('auto', 4096, card, () => undefined);
  assert.notEqual(choice.method, 'none');
  assert.deepEqual(choice, {
    method: 'yarn',
    options: { factor: 4 },
    source: 'beyond training length',
  });
  // A card that names its own scaling keeps it (DeepSeek-Coder's built-in linear ×4, say).
  assert.deepEqual(
    chooseRope('auto', 16384, { trainLength: 4096, defaultRope: { method: 'linear', factor: 4 } }),
    { method: 'linear', options: { factor: 4 }, source: 'model card' },
  );
});

test('the bundled CPU model at the CPU default budget gets a scaled method', async () => {
  const files = await openModelFiles(bundledModel());
  assert.equal(files.card.trainLength, 1024);
  const settings = completionSettings(
    {},
    { provider: 'cpu', card: files.card, tok: loadTokenizer(files.tokenizer) },
  );
  assert.equal(settings.budget, deviceBudget('cpu'));
  assert.equal(settings.budget, 4096);
  assert.equal(settings.rope.method, 'yarn');
  assert.equal(settings.rope.options.factor, 4);
  assert.equal(settings.stopTokens.length, 4);
});
