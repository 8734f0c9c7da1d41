// Parity with PyTorch (golden outputs from the exporter) and exactness of prefix reuse from the cache,
// for every committed model.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { blob, readGolden, runGolden, type CaseResult, type Golden } from '../../src/model/golden';
import { headDim } from '../../src/model/model-card';
import { OnnxModel } from '../../src/model/onnx-backend';
import { baseInverseFrequencies, rotaryTables } from '../../src/model/rope-tables';
import { repoRoot } from '../repo-root';

const modelsDir = join(repoRoot(), 'models');
const models = readdirSync(modelsDir).filter((d) => existsSync(join(modelsDir, d, 'golden.json')));

test('tiny and the default model are committed with golden cases', () => {
  assert.ok(models.includes('tiny'), `models with goldens: ${models.join(', ')}`);
});

for (const name of models) {
  describe(`model ${name}`, () => {
    let model: OnnxModel;
    let golden: Golden;
    let results: Map<string, CaseResult>;
    before(async () => {
      model = await OnnxModel.load(join(modelsDir, name));
      golden = readGolden(join(modelsDir, name));
      results = new Map((await runGolden(model, golden)).map((r) => [r.name, r]));
    });
    after(() => model.dispose());

    test('onnxruntime logits equal PyTorch logits within 1e-4 for every case', () => {
      assert.equal(golden.tolerance, 1e-4);
      for (const name of ['cold', 'prefix', 'tail-on-cache', 'moved-cache', 'scaled']) {
        const r = results.get(name);
        assert.ok(r, `case ${name} ran`);
        assert.ok(r.maxAbsDiff <= 1e-4, `${name}: max |ort − torch| = ${r.maxAbsDiff}`);
      }
    });

    test('logits on a reused prefix cache equal cold logits within 1e-4', () => {
      const r = results.get('tail-on-cache');
      assert.ok(r?.reuseMaxAbsDiff !== undefined, 'reuse was compared');
      assert.ok(r.reuseMaxAbsDiff <= 1e-4, `max |cached − cold| = ${r.reuseMaxAbsDiff}`);
    });

    test('the cache holds unrotated keys: layer 0 keys do not depend on positions', async () => {
      const cfg = model.card.config;
      const inv = baseInverseFrequencies(headDim(cfg), cfg.rope_theta);
      const ids = golden.ids.slice(0, 8);
      const run = (start: number) => {
        const t = rotaryTables(ids.map((_, i) => start + i), inv);
        return model.forward({ ids, cosQ: t.cos, sinQ: t.sin, cosK: t.cos, sinK: t.sin, logitsIndices: [ids.length - 1] });
      };
      const [a, b] = [await run(0), await run(5000)];
      assert.deepEqual(a.present.keys[0], b.present.keys[0]);
      const cold = golden.cases.find((c) => c.name === 'cold');
      assert.ok(cold?.present0Key);
      const want = blob(golden, cold.present0Key);
      assert.equal(a.present.keys[0]?.length, (want.length / golden.ids.length) * ids.length);
    });

    test('the RoPE tables are inputs: other positions give other logits, no reload needed', async () => {
      const cfg = model.card.config;
      const ids = golden.ids.slice(0, 16);
      const logits = async (factor: number) => {
        const inv = baseInverseFrequencies(headDim(cfg), cfg.rope_theta).map((f) => f / factor);
        const t = rotaryTables(ids.map((_, i) => i), inv);
        return (await model.forward({ ids, cosQ: t.cos, sinQ: t.sin, cosK: t.cos, sinK: t.sin, logitsIndices: [15] })).logits;
      };
      const [plain, linear] = [await logits(1), await logits(4)];
      let diff = 0;
      for (let i = 0; i < plain.length; i++) diff = Math.max(diff, Math.abs((plain[i] as number) - (linear[i] as number)));
      assert.ok(diff > 1e-3, `interpolated positions changed the logits by ${diff}`);
    });
  });
}
