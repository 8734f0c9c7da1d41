// The fp16-KV graph of a model built from a random-weight GGUF file against its fp32-KV graph: one
// weights file for both, near-identical logits, and the same greedy tokens, also after a chunk of the
// cache moved (copied and re-rotated by shiftKeys).

import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import { CorruptModelError } from '../../../src/model/errors';
import { forwardOnCache, Generator } from '../../../src/model/generate';
import { importGguf } from '../../../src/model/gguf-import/import-gguf';
import { maxAbsDiff } from '../../../src/model/golden';
import { halvesToFloats } from '../../../src/model/half';
import type { KvCache } from '../../../src/model/kv-cache';
import { KV_GRAPH_FILES, KvTypeUnavailableError } from '../../../src/model/kv-type';
import { ModelCache } from '../../../src/model/model-cache';
import { headDim, readModelFiles } from '../../../src/model/model-card';
import { OnnxModel } from '../../../src/model/onnx-backend';
import { planRope, ropeGeometry } from '../../../src/model/rope';
import { seededRandom } from '../../../src/model/sampling';
import { loadTokenizer } from '../../../src/model/tokenizers/load-tokenizer';
import { repoRoot } from '../../repo-root';
import { tempDir } from '../../temp-dir';
import { writeLoadableV2Folder } from '../v2-folder';
import { randomInputs, runContract } from './contract-run';

const fixtures = join(repoRoot(), 'test', 'fixtures', 'gguf-ref');

/**
 * F32 weights isolate the cache's rounding: logits within 2e-3 of their spread (measured: 8e-4 at
 * most). With Q8_0 weights MatMulNBits quantizes activations to int8 (accuracy_level 4), and a change
 * of half an fp16 step in an input can flip an activation's int8 rounding: on this peaked random model
 * that moves logits by up to 1.3e-2 of their spread (1e-3 when the same file is built with
 * accuracy_level 1), noise of the weights' arithmetic, not of the cache. The greedy tokens agree in both.
 */
const CASES = [
  { file: 'qwen2-tiny-f32.gguf', logitTolerance: 2e-3 },
  { file: 'qwen2-tiny-q8_0.gguf', logitTolerance: 3e-2 },
];

/** Each external initializer's (location, offset, length), by name. */
function externalTable(path: string): Map<string, string> {
  const graph = onnx.ModelProto.decode(readFileSync(path)).graph as onnx.IGraphProto;
  const table = new Map<string, string>();
  for (const t of graph.initializer ?? [])
    if (t.externalData?.length)
      table.set(t.name as string, t.externalData.map((e) => `${e.key}=${e.value}`).join(' '));
  return table;
}

/** Random ids below the special tokens (311 on): text the model continues. */
function ids(count: number, seed: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: count }, () => Math.floor(r() * 300));
}

for (const { file, logitTolerance } of CASES)
  describe(`fp16 KV cache on a model built from ${file}`, () => {
    const cacheDir = tempDir('rw-kv16-');
    let dir: string;
    let fp32: OnnxModel;
    let fp16: OnnxModel;
    before(async () => {
      dir = await importGguf(join(fixtures, file), { cache: new ModelCache(cacheDir) });
      fp32 = await OnnxModel.load(dir, { kvType: 'float32' });
      fp16 = await OnnxModel.load(dir, { kvType: 'float16' });
    });
    after(async () => {
      await fp32?.dispose();
      await fp16?.dispose();
    });

    test('both graphs sit in one folder and read one weights file at the same offsets', () => {
      const files = readModelFiles(dir);
      assert.deepEqual(files.card.kvTypes, ['float32', 'float16']);
      assert.equal(files.kvGraphs.float16, join(dir, KV_GRAPH_FILES.float16));
      const data = readdirSync(dir).filter((f) => f.endsWith('.data'));
      assert.deepEqual(data, ['model.onnx.data']);
      const a = externalTable(join(dir, 'model.onnx'));
      const b = externalTable(join(dir, 'model-kv16.onnx'));
      assert.ok(a.size > 0);
      assert.deepEqual([...b], [...a]);
      assert.ok([...a.values()].every((v) => v.startsWith('location=model.onnx.data ')));
      assert.equal(fp16.kv.type, 'float16');
      assert.equal(fp32.kv.type, 'float32');
      assert.match(fp16.kv.reason, /as set/);
    });

    test('auto keeps fp32 for a small cache, and picks fp16 where the fp32 cache would pass 1 GiB', async () => {
      const small = await OnnxModel.load(dir);
      try {
        assert.equal(small.kv.type, 'float32');
        assert.match(small.kv.reason, /^auto: /);
      } finally {
        await small.dispose();
      }
      // 2 layers × 2 kv heads × 16 × 2 (K and V) × 4 bytes = 512 bytes a token: 1 GiB is 2M tokens.
      const big = await OnnxModel.load(dir, { contextTokens: 2_200_000 });
      try {
        assert.equal(big.kv.type, 'float16');
        assert.match(big.kv.reason, /over 1\.00 GiB/);
        assert.equal(big.newCache().kvType, 'float16');
      } finally {
        await big.dispose();
      }
    });

    test('one call on a random cache: logits and new entries within fp16 rounding of the fp32 graph', async () => {
      const cfg = fp32.card.config;
      const spec = {
        vocabSize: cfg.vocab_size,
        nLayers: cfg.n_layers,
        nKvHeads: cfg.n_kv_heads,
        headDim: headDim(cfg),
      };
      const x = randomInputs(spec, 5, 37, 3);
      const a = await runContract(fp32, x);
      const b = await runContract(fp16, x);
      const spread = Math.max(...a.logits) - Math.min(...a.logits);
      const d = maxAbsDiff(a.logits, b.logits);
      assert.ok(d > 0, 'the fp16 graph reads a rounded cache');
      assert.ok(d < logitTolerance * spread, `max |fp16 − fp32| logit ${d} (spread ${spread})`);
      for (let l = 0; l < spec.nLayers; l++) {
        const k = a.presentKeys[l] as Float32Array;
        const scale = Math.max(...k.map(Math.abs));
        // Rounded to fp16 on the way out: within half a step (2⁻¹¹ relative) of the fp32 graph's.
        assert.ok(maxAbsDiff(k, b.presentKeys[l] as Float32Array) <= scale * 2 ** -10);
      }
    });

    test('prefill, decoding and a moved chunk: fp16 logits stay close and every greedy token is the same', async () => {
      const plan = planRope('none', ropeGeometry(fp32.card.config), {});
      const run = async (model: OnnxModel) => {
        const cache = model.newCache();
        const logits: Float32Array[] = [];
        const a = ids(64, 1);
        const b = ids(48, 2);
        logits.push(await forwardOnCache(model, cache, [...a, ...b], 0, plan));
        // Chunk b moves to the front (positions 0..47), a is recomputed after it: copy, shift, compute.
        const moved: KvCache = model.newCache();
        moved.appendFrom(cache, 64, 48);
        moved.shiftKeys(0, 48, -64, plan.inverseFrequencies);
        logits.push(await forwardOnCache(model, moved, a, 48, plan));
        const greedy: number[] = [];
        for (let i = 0; i < 12; i++) {
          const last = logits[logits.length - 1] as Float32Array;
          const next = last.indexOf(Math.max(...last));
          greedy.push(next);
          logits.push(await forwardOnCache(model, moved, [next], moved.length, plan));
        }
        return { logits, greedy, cache: moved };
      };
      const a = await run(fp32);
      const b = await run(fp16);
      assert.deepEqual(b.greedy, a.greedy);
      a.logits.forEach((l, i) => {
        const spread = Math.max(...l) - Math.min(...l);
        const d = maxAbsDiff(l, b.logits[i] as Float32Array);
        assert.ok(
          d < logitTolerance * spread,
          `step ${i}: max |fp16 − fp32| logit ${d} (spread ${spread})`,
        );
      });
      // Layer 0's keys see the same inputs in both (the embeddings): the fp16 cache holds the fp32
      // one's, rounded when written and again when the chunk was shifted.
      const k32 = a.cache.view().keys[0] as Float32Array;
      const k16 = halvesToFloats(b.cache.view().keys[0] as Uint16Array);
      assert.ok(maxAbsDiff(k32, k16) <= Math.max(...k32.map(Math.abs)) * 2 ** -9);
    });

    test('the generator reuses a moved chunk the same way and writes the same text', async () => {
      const tok = loadTokenizer(readModelFiles(dir).tokenizer);
      const none = { method: 'none' };
      const [a, b, c, file] = [ids(80, 3), ids(64, 4), ids(72, 5), ids(40, 6)];
      const outputs = [];
      for (const model of [fp32, fp16]) {
        const g = new Generator(model, tok, 32);
        const first = await g.generate([a, b, c, file], none, { maxTokens: 10 });
        // The context changes ahead of b and c: both move, re-rotated instead of recomputed.
        const second = await g.generate([c, b, file], none, { maxTokens: 10 });
        assert.ok(second.movedTokens >= 100, `moved ${second.movedTokens}`);
        outputs.push({ first: first.tokens, second: second.tokens, moved: second.movedTokens });
      }
      assert.deepEqual(outputs[1], outputs[0]);
    });

    test('a graph whose KV inputs are not the type the card names is refused, not misread', async (t) => {
      const copy = tempDir('rw-kv16-swap-', t);
      cpSync(dir, copy, { recursive: true });
      copyFileSync(join(dir, 'model.onnx'), join(copy, KV_GRAPH_FILES.float16));
      await assert.rejects(OnnxModel.load(copy, { kvType: 'float16' }), (e: Error) => {
        assert.ok(e instanceof CorruptModelError);
        assert.match(e.message, /the float16-KV graph takes float32 past keys/);
        return true;
      });
    });

    test('a float16 cache asked of a model without an fp16 graph is refused by name', async (t) => {
      const v2 = await writeLoadableV2Folder(tempDir('rw-kv16-v2-', t));
      assert.ok(!existsSync(join(v2, KV_GRAPH_FILES.float16)));
      await assert.rejects(OnnxModel.load(v2, { kvType: 'float16' }), (e: Error) => {
        assert.ok(e instanceof KvTypeUnavailableError);
        assert.match(e.message, /float16 KV cache was asked for.*graphs for float32 only/);
        return true;
      });
    });
  });
