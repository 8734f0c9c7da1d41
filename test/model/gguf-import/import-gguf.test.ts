import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UnsupportedArchitectureError } from '../../../src/model/gguf-import/architecture';
import { importGguf, isGgufPath } from '../../../src/model/gguf-import/import-gguf';
import { writeGguf } from '../../../src/model/gguf/gguf-writer';
import { readModelFiles } from '../../../src/model/model-card';
import { ModelCache } from '../../../src/model/model-cache';
import { repoRoot } from '../../repo-root';
import { tempDir } from '../../temp-dir';

const fixture = join(repoRoot(), 'test', 'fixtures', 'gguf-ref', 'qwen2-tiny-q8_0.gguf');

test('an ollama blob (no .gguf in its name) is found by its header, built once, and read as a contract-3 model', async (t) => {
  const dir = tempDir('rw-import-', t);
  mkdirSync(join(dir, 'blobs'));
  const blob = join(dir, 'blobs', 'sha256-0123abcd');
  copyFileSync(fixture, blob);
  writeFileSync(join(dir, 'notes.txt'), 'not a model');
  assert.equal(isGgufPath(blob), true);
  assert.equal(isGgufPath(join(dir, 'notes.txt')), false);
  assert.equal(isGgufPath(join(dir, 'blobs')), false);
  assert.equal(isGgufPath(join(dir, 'missing.gguf')), false);
  const cache = new ModelCache(join(dir, 'cache'));
  const built = await importGguf(blob, { cache });
  const files = readModelFiles(built);
  assert.equal(files.card.contract, 3);
  assert.equal(files.card.config.architecture, 'qwen2');
  assert.equal(files.card.source?.fileType, 'Q8_0');
  assert.ok(files.tokenizer.endsWith('vocab.json'));
  assert.ok(existsSync(join(built, 'model.onnx.data')));
  assert.deepEqual(files.card.stopTokens, [311], '<|endoftext|> is the file’s eos');
  const stamp = statSync(join(built, 'complete.json')).mtimeMs;
  assert.equal(await importGguf(blob, { cache }), built);
  assert.equal(
    statSync(join(built, 'complete.json')).mtimeMs,
    stamp,
    'served from the cache, not rebuilt',
  );
});

test('an architecture Ropewalk does not run is named, with what it does run', async (t) => {
  const dir = tempDir('rw-import-', t);
  const path = join(dir, 'other.gguf');
  writeGguf(path, {
    metadata: [['general.architecture', { type: 'string', value: 'gemma3' }]],
    tensors: [],
  });
  await assert.rejects(
    importGguf(path, { cache: new ModelCache(join(dir, 'cache')) }),
    (e: Error) => {
      assert.ok(e instanceof UnsupportedArchitectureError);
      assert.match(
        e.message,
        /"gemma3" is not one Ropewalk runs; supported: llama, qwen2, starcoder2/,
      );
      return true;
    },
  );
  assert.deepEqual(new ModelCache(join(dir, 'cache')).entries(), [], 'nothing half-built is left');
});
