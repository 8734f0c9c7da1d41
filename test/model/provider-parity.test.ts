// Provider parity (model-check --against): two sessions compared row by row, probes for GGUF models.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkModel } from '../../src/model/model-check';
import { OnnxModel } from '../../src/model/onnx-backend';
import { compareProviders, probeCases } from '../../src/model/provider-parity';
import { repoRoot } from '../repo-root';
import { committedModel, useTestModelCache } from '../test-models';

test('probe cases: ids inside the vocabulary, tails on the cold cache, every position kept', () => {
  const cases = probeCases(61, 20);
  assert.deepEqual(
    cases.map((c) => c.name),
    ['cold', 'tail-on-cache', 'moved-cache', 'scaled'],
  );
  for (const c of cases) {
    assert.ok(c.ids.every((t) => Number.isInteger(t) && t >= 0 && t < 61));
    assert.deepEqual(
      c.logitsIndices,
      c.ids.map((_, i) => i),
    );
    assert.equal(c.positions.length, c.ids.length);
  }
  assert.equal(cases[2]?.pastShift, 7);
  assert.equal(cases[2]?.positions[0], 27);
  assert.deepEqual(probeCases(61, 20), cases, 'seeded');
});

test('two CPU sessions of one model agree exactly; different weights do not', async () => {
  const a = await OnnxModel.load(committedModel('tiny'), { provider: 'cpu' });
  const b = await OnnxModel.load(committedModel('tiny'), { provider: 'cpu' });
  try {
    const same = await compareProviders(a, b, probeCases(a.card.config.vocab_size, 16));
    assert.equal(same.rows, 16 + 12 + 12 + 16);
    assert.equal(same.top1Agree, same.rows);
    assert.equal(same.maxAbsDiff, 0);
    assert.ok(same.ok);
  } finally {
    await Promise.all([a.dispose(), b.dispose()]);
  }
});

test('model-check --against on a GGUF model compares probes and counts nodes', async () => {
  useTestModelCache();
  const file = join(repoRoot(), 'test/fixtures/gguf-ref/qwen2-tiny-q8_0.gguf');
  const report = await checkModel(file, { provider: 'cpu', against: 'cpu' });
  assert.equal(report.cases.length, 0, 'no golden cases for a GGUF import');
  assert.ok(report.parity, 'parity ran');
  assert.equal(report.parity.provider, 'cpu');
  assert.equal(report.parity.rows, 48 + 12 + 12 + 48);
  assert.equal(report.parity.maxAbsDiff, 0);
  assert.ok((report.placement?.cpu?.ops.MatMulNBits ?? 0) > 0, 'Q8_0 runs as MatMulNBits');
  assert.ok(report.ok);
});
