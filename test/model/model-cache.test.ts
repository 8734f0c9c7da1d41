import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { ModelCache, sourceIdentity } from '../../src/model/model-cache';
import { tempDir } from '../temp-dir';

function modelFile(dir: string, name: string, bytes: number, fill = 1): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.alloc(bytes, fill));
  return path;
}

test('a model is built once into its own folder, found again, and the user’s file is left as it was', async (t) => {
  const dir = tempDir('rw-cache-', t);
  const file = modelFile(dir, 'Qwen2.5-Coder 0.5B.gguf', 200_000);
  const cache = new ModelCache(join(dir, 'cache'));
  const id = sourceIdentity(file);
  assert.equal(cache.lookup(id), undefined);
  let builds = 0;
  const built = await cache.store(id, async (into) => {
    builds++;
    writeFileSync(join(into, 'model.onnx'), 'graph');
  });
  assert.equal(cache.lookup(sourceIdentity(file)), built);
  assert.ok(existsSync(join(built, 'model.onnx')));
  assert.equal(builds, 1);
  assert.match(built, /Qwen2\.5-Coder_0\.5B-[0-9a-f]{16}$/);
  assert.deepEqual(readdirSync(dir).sort(), ['Qwen2.5-Coder 0.5B.gguf', 'cache']);
  const [entry] = cache.entries();
  assert.equal(entry?.stale, false);
  assert.ok((entry?.bytes ?? 0) > 5);
});

test('a build that fails or stops half-way leaves nothing that counts as built', async (t) => {
  const dir = tempDir('rw-cache-', t);
  const file = modelFile(dir, 'm.gguf', 1000);
  const cache = new ModelCache(join(dir, 'cache'));
  const id = sourceIdentity(file);
  await assert.rejects(
    cache.store(id, async (into) => {
      writeFileSync(join(into, 'model.onnx'), 'half');
      throw new Error('disk full');
    }),
    /disk full/,
  );
  assert.equal(cache.lookup(id), undefined);
  // A folder left by a killed process (no completion marker) is removed on lookup and rebuilt.
  mkdirSync(cache.dirFor(id), { recursive: true });
  writeFileSync(join(cache.dirFor(id), 'model.onnx'), 'half');
  assert.equal(cache.lookup(id), undefined);
  assert.equal(existsSync(cache.dirFor(id)), false);
});

test('a changed or deleted model file makes its entry stale, and prune removes only those', async (t) => {
  const dir = tempDir('rw-cache-', t);
  const keep = modelFile(dir, 'keep.gguf', 5000);
  const change = modelFile(dir, 'change.gguf', 5000);
  const gone = modelFile(dir, 'gone.gguf', 5000);
  const cache = new ModelCache(join(dir, 'cache'));
  for (const f of [keep, change, gone])
    await cache.store(sourceIdentity(f), async (into) =>
      writeFileSync(join(into, 'model.onnx'), f),
    );
  // Same size, new content and time: a new identity, the old entry is stale.
  modelFile(dir, 'change.gguf', 5000, 2);
  utimesSync(change, new Date(), new Date(Date.now() + 5000));
  assert.notEqual(
    sourceIdentity(change).hash,
    cache.entries().find((e) => e.source.path === change)?.source.hash,
  );
  rmSync(gone);
  const stale = cache
    .entries()
    .filter((e) => e.stale)
    .map((e) => e.source.path)
    .sort();
  assert.deepEqual(stale, [change, gone].sort());
  assert.equal(cache.prune().removed, 2);
  assert.deepEqual(
    cache.entries().map((e) => e.source.path),
    [keep],
  );
  assert.equal(cache.clear().removed, 1);
  assert.deepEqual(cache.entries(), []);
});

test('a file rewritten with the same size and the same ends is a new identity (its card, its weights)', (t) => {
  const dir = tempDir('rw-cache-', t);
  // 20 MiB: past the hashed head (8 MiB) and tail (64 KiB). Our model.gguf keeps its card in the
  // metadata after the tokenizer, beyond 64 KiB: a re-export with a new card kept size and ends.
  const size = 20 * 1024 * 1024;
  const base = Buffer.alloc(size, 7);
  const file = join(dir, 'model.gguf');
  writeFileSync(file, base);
  const first = sourceIdentity(file).hash;
  const card = Buffer.from(base);
  card.write('{"heldoutLoss":2.1}', 300 * 1024);
  writeFileSync(file, card);
  const second = sourceIdentity(file).hash;
  assert.notEqual(second, first);
  // A weight block rewritten in the middle of the data, where a 4 KiB sample lands (the samples start
  // right after the head and are evenly spaced to the tail).
  const weights = Buffer.from(base);
  weights.fill(9, 8 * 1024 * 1024, 8 * 1024 * 1024 + 4096);
  writeFileSync(file, weights);
  assert.notEqual(sourceIdentity(file).hash, first);
  // The same bytes again: the same identity (by content, not by time).
  writeFileSync(file, card);
  assert.equal(sourceIdentity(file).hash, second);
});

test('a build drops entries of older builders and of deleted files, not a build in progress', async (t) => {
  const dir = tempDir('rw-cache-', t);
  const cache = new ModelCache(join(dir, 'cache'));
  const old = modelFile(dir, 'old.gguf', 5000);
  const gone = modelFile(dir, 'gone.gguf', 5000);
  for (const f of [old, gone])
    await cache.store(sourceIdentity(f), async (into) =>
      writeFileSync(join(into, 'model.onnx'), f),
    );
  // What an earlier Ropewalk built for old.gguf: same file, another builder version.
  const olderDir = cache.dirFor(sourceIdentity(old)).replace(/-[0-9a-f]{16}$/, '-0123456789abcdef');
  renameSync(cache.dirFor(sourceIdentity(old)), olderDir);
  writeFileSync(join(olderDir, 'complete.json'), JSON.stringify({ version: 1 }));
  rmSync(gone);
  // Another process (the test runner: alive) building into its partial folder.
  const building = `${cache.dirFor(sourceIdentity(old))}.partial-${process.ppid}`;
  mkdirSync(building, { recursive: true });
  const built = await cache.store(sourceIdentity(old), async (into) =>
    writeFileSync(join(into, 'model.onnx'), 'new'),
  );
  assert.deepEqual(
    readdirSync(join(dir, 'cache')).sort(),
    [built, building].map((d) => basename(d)).sort(),
  );
});
