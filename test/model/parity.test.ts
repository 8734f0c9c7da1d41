// Parity with PyTorch (golden outputs from the exporter) and exactness of prefix reuse from the cache,
// for every committed model, through the graph Ropewalk builds from its model.gguf; and for tiny written
// as Q8_0 (what a quantized committed model is checked against: the bound its card states).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportGguf } from '../../src/model/gguf-export/export-gguf';
import { blob, readGolden, runGolden, type CaseResult, type Golden } from '../../src/model/golden';
import {
  quantizedToleranceFor,
  type QuantizedGoldenTolerance,
} from '../../src/model/golden-tolerance';
import { OnnxModel } from '../../src/model/onnx-backend';
import { planRope, planTables, ropeGeometry } from '../../src/model/rope';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';
import { useTestModelCache } from '../test-models';
import { writeTorchExportFolder } from './v2-folder';

useTestModelCache();
const modelsDir = join(repoRoot(), 'models');
const models = readdirSync(modelsDir).filter((d) => existsSync(join(modelsDir, d, 'golden.json')));

test('tiny and the default model are committed with golden cases', () => {
  assert.ok(models.includes('tiny'), `models with goldens: ${models.join(', ')}`);
});

/** models/tiny's weights as Q8_0 (every matrix but the 176-wide ffn_down) beside its golden cases. */
function tinyAsQ8_0(): string {
  const src = writeTorchExportFolder(tempDir('ropewalk-parity-src-'));
  const dir = tempDir('ropewalk-parity-q8-');
  exportGguf(src, join(dir, 'model.gguf'), 'q8_0');
  for (const f of ['golden.json', 'golden.bin']) copyFileSync(join(src, f), join(dir, f));
  return dir;
}

const folders: [string, string][] = [
  ...models.map((m): [string, string] => [m, join(modelsDir, m)]),
  ['tiny as Q8_0', tinyAsQ8_0()],
];

for (const [name, dir] of folders) {
  describe(`model ${name}`, () => {
    let model: OnnxModel;
    let golden: Golden;
    let results: Map<string, CaseResult>;
    let quantized: QuantizedGoldenTolerance | undefined;
    before(async () => {
      model = await OnnxModel.load(dir);
      golden = readGolden(dir);
      results = new Map((await runGolden(model, golden)).map((r) => [r.name, r]));
      quantized = quantizedToleranceFor(model.card);
    });
    after(() => model.dispose());

    test('the bound: 1e-4 for float weights, the card’s share of the spread for quantized ones', () => {
      assert.equal(golden.tolerance, 1e-4);
      const types = model.card.source?.weightTypes ?? {};
      assert.equal(quantized !== undefined, (types.Q8_0 ?? 0) > 0, JSON.stringify(types));
    });

    test('onnxruntime logits equal PyTorch logits within the bound for every case', () => {
      for (const name of ['cold', 'prefix', 'tail-on-cache', 'moved-cache', 'scaled']) {
        const r = results.get(name);
        assert.ok(r, `case ${name} ran`);
        if (quantized)
          assert.ok(
            r.maxDiffOfSpread <= quantized.spreadFraction,
            `${name}: max |ort − torch| = ${r.maxDiffOfSpread} of the spread`,
          );
        else assert.ok(r.maxAbsDiff <= 1e-4, `${name}: max |ort − torch| = ${r.maxAbsDiff}`);
      }
    });

    test('logits on a reused prefix cache equal cold logits within the bound', () => {
      const r = results.get('tail-on-cache');
      assert.ok(r?.reuseMaxAbsDiff !== undefined, 'reuse was compared');
      if (quantized)
        assert.ok(
          (r.reuseMaxDiffOfSpread as number) <= quantized.spreadFraction,
          `max |cached − cold| = ${r.reuseMaxDiffOfSpread} of the spread`,
        );
      else assert.ok(r.reuseMaxAbsDiff <= 1e-4, `max |cached − cold| = ${r.reuseMaxAbsDiff}`);
    });

    test('a cached span moved by Δ positions equals, in layer 0, the keys computed at the new positions', async () => {
      const cfg = model.card.config;
      const plan = planRope('none', ropeGeometry(cfg));
      const ids = golden.ids.slice(0, 8);
      const run = async (start: number) => {
        const t = planTables(
          plan,
          ids.map((_, i) => start + i),
        );
        const out = await model.forward({
          ids,
          cosQ: t.cos,
          sinQ: t.sin,
          logitsIndices: [ids.length - 1],
        });
        const cache = model.newCache();
        cache.append(out.newKeys, out.newValues, ids.length);
        return cache;
      };
      const [at0, at5000] = [await run(0), await run(5000)];
      at0.shiftKeys(0, at0.length, 5000, plan.inverseFrequencies);
      const moved = at0.view().keys[0] as Float32Array;
      const cold = at5000.view().keys[0] as Float32Array;
      let diff = 0;
      for (let i = 0; i < moved.length; i++)
        diff = Math.max(diff, Math.abs((moved[i] as number) - (cold[i] as number)));
      assert.ok(diff < 1e-4, `re-rotated vs cold keys differ by ${diff}`);
      assert.deepEqual(at0.view().values[0], at5000.view().values[0]); // values carry no position
      const coldCase = golden.cases.find((c) => c.name === 'cold');
      assert.ok(coldCase?.present0Key);
      assert.equal(
        blob(golden, coldCase.present0Key).length,
        (moved.length / ids.length) * golden.ids.length,
      );
    });

    test('the RoPE tables are inputs: other angles give other logits, no reload needed', async () => {
      const cfg = model.card.config;
      const geometry = ropeGeometry(cfg);
      const ids = golden.ids.slice(0, 16);
      const logits = async (factor: number) => {
        const t = planTables(
          planRope('linear', geometry, { factor }),
          ids.map((_, i) => i),
        );
        return (await model.forward({ ids, cosQ: t.cos, sinQ: t.sin, logitsIndices: [15] })).logits;
      };
      const [plain, linear] = [await logits(1), await logits(4)];
      let diff = 0;
      for (let i = 0; i < plain.length; i++)
        diff = Math.max(diff, Math.abs((plain[i] as number) - (linear[i] as number)));
      assert.ok(diff > 1e-3, `interpolated positions changed the logits by ${diff}`);
    });
  });
}
