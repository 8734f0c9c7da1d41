import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { calibrate } from '../../src/bench/cost-model';
import { importGguf } from '../../src/model/gguf-import/import-gguf';
import { ModelCache } from '../../src/model/model-cache';
import { OnnxModel } from '../../src/model/onnx-backend';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';

test('calibration feeds ids the vocabulary has: a 320-token GGUF model is timed, not crashed', async (t) => {
  const gguf = join(repoRoot(), 'test', 'fixtures', 'gguf-ref', 'qwen2-tiny-q8_0.gguf');
  const dir = await importGguf(gguf, { cache: new ModelCache(tempDir('rw-cost-', t)) });
  const model = await OnnxModel.load(dir, { provider: 'cpu' });
  try {
    assert.equal(model.card.config.vocab_size, 320);
    const cost = await calibrate(model);
    assert.ok(cost.a > 0 && cost.b >= 0 && cost.decodeMs > 0);
  } finally {
    await model.dispose();
  }
});
