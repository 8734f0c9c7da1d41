import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cachePath, readCache, writeCache } from '../../src/context/index-cache';
import type { IndexedFile } from '../../src/context/repo-index';
import { tempDir } from '../temp-dir';

const file = (path: string): IndexedFile => ({
  path,
  language: 'python',
  hash: 'h',
  definitions: [],
  imports: [{ source: 'os' }],
  parents: {},
  identifiers: ['x'],
  hasErrors: false,
});

test('the cache reads back what was written; a missing, corrupt or other-version file reads as empty', async (t) => {
  const dir = tempDir('rw-cache-', t);
  const at = cachePath(dir, '/some/repo');
  assert.notEqual(at, cachePath(dir, '/other/repo'));
  assert.equal((await readCache(at)).size, 0);
  await writeCache(at, [file('a.py'), file('b/c.py')]);
  assert.deepEqual([...(await readCache(at)).values()], [file('a.py'), file('b/c.py')]);
  assert.deepEqual(readdirSync(dir), [at.slice(dir.length + 1)], 'no temporary file is left');
  writeFileSync(at, 'not gzip');
  assert.equal((await readCache(at)).size, 0);
});

test('a write that cannot be put in place fails and leaves no partial file', async (t) => {
  const dir = tempDir('rw-cache-', t);
  const at = join(dir, 'index.json.gz');
  mkdirSync(join(at, 'in-the-way'), { recursive: true }); // a folder where the cache should go: the rename fails
  await assert.rejects(writeCache(at, [file('a.py')]));
  assert.deepEqual(readdirSync(dir), ['index.json.gz']);
});
