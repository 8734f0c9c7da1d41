import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RepoIndex } from '../../src/context/repo-index';
import { anchorPattern, walkRepository } from '../../src/context/repo-walk';
import { SyntaxLoader } from '../../src/context/syntax';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';

const fixtures = join(repoRoot(), 'test', 'fixtures');
const loader = new SyntaxLoader(join(repoRoot(), 'grammars'));

test('the walk honours .gitignore and counts what it leaves out, and why', () => {
  const w = walkRepository(join(fixtures, 'tsrepo'), { extensions: ['.ts', '.js'] });
  const paths = w.files.map((f) => f.path).sort();
  assert.deepEqual(paths, ['src/app/main.ts', 'src/geometry/circle.ts', 'src/geometry/shape.ts']);
  assert.deepEqual(w.skipped, { minified: 1, binary: 1, generated: 1 }); // vendor.min.js is excluded by pattern
  const py = walkRepository(join(fixtures, 'pyrepo'), { extensions: ['.py'] });
  assert.ok(
    !py.files.some((f) => f.path.startsWith('build/')),
    'build/ is in the fixture .gitignore',
  );
  const capped = walkRepository(join(fixtures, 'pyrepo'), { extensions: ['.py'], maxFiles: 2 });
  assert.equal(capped.files.length, 2);
  assert.equal(capped.capped, true);
});

test('nested .gitignore patterns are anchored to their folder', () => {
  assert.equal(anchorPattern('build/', 'pkg'), 'pkg/**/build/');
  assert.equal(anchorPattern('/gen.py', 'pkg'), 'pkg/gen.py');
  assert.equal(anchorPattern('!keep/me.py', 'pkg'), '!pkg/keep/me.py');
});

test('Python: definitions, parents, and imports resolved through packages and relative dots', async () => {
  const { index, stats } = await RepoIndex.build(join(fixtures, 'pyrepo'), loader);
  assert.equal(stats.files, 5);
  assert.equal(stats.parsedFiles, 5);
  const square = index.files.get('shapes/square.py');
  assert.ok(square);
  assert.deepEqual(square.parents, { Square: ['Shape'] });
  assert.deepEqual(square.imports, [
    { source: '.base', resolved: 'shapes/base.py' },
    { source: '..units', resolved: 'units.py' },
  ]);
  const t = index.files.get('tests/test_square.py');
  assert.deepEqual(t?.imports, [
    { source: 'os', resolved: undefined },
    { source: 'shapes.square', resolved: 'shapes/square.py' },
  ]);
  assert.deepEqual(
    index.definitionsOf('to_metres').map((d) => d.file),
    ['units.py'],
  );
  assert.equal(stats.resolvedImports, 4);
});

test('TypeScript: ESM .js specifiers and tsconfig path aliases resolve to files', async () => {
  const { index, stats } = await RepoIndex.build(join(fixtures, 'tsrepo'), loader);
  assert.deepEqual(index.files.get('src/geometry/circle.ts')?.imports, [
    { source: './shape.js', resolved: 'src/geometry/shape.ts' },
  ]);
  assert.deepEqual(index.files.get('src/app/main.ts')?.imports, [
    { source: '@geometry/circle', resolved: 'src/geometry/circle.ts' },
    { source: 'node:fs', resolved: undefined },
  ]);
  assert.deepEqual(index.files.get('src/geometry/circle.ts')?.parents, { Circle: ['Shape'] });
  assert.equal(stats.skipped.minified, 1);
});

test('a changed file is re-indexed alone; a deleted one leaves the name table', async () => {
  const { index } = await RepoIndex.build(join(fixtures, 'pyrepo'), loader);
  await index.update('units.py', 'def to_feet(value):\n    return value * 3.28\n');
  assert.deepEqual(index.definitionsOf('to_metres'), []);
  assert.deepEqual(
    index.definitionsOf('to_feet').map((d) => d.file),
    ['units.py'],
  );
  await index.update('units.py', undefined);
  assert.deepEqual(index.definitionsOf('to_feet'), []);
  assert.equal(index.files.has('shapes/base.py'), true);
});

test('parsing in worker threads gives the same index as parsing on the calling thread', async () => {
  const root = join(fixtures, 'pyrepo');
  const serial = (await RepoIndex.build(root, loader)).index;
  const { index, stats } = await RepoIndex.build(root, loader, {
    workers: 2,
    workerScript: join(repoRoot(), 'dist', 'index-worker.js'),
    grammarsDir: join(repoRoot(), 'grammars'),
  });
  assert.equal(stats.parsedFiles, 5);
  assert.deepEqual([...index.files.keys()].sort(), [...serial.files.keys()].sort());
  for (const [path, f] of serial.files) assert.deepEqual(index.files.get(path), f, path);
});

test('a persisted index makes reopening cheap: unchanged files come from the cache; a corrupt cache is rebuilt', async (t) => {
  const cacheDir = tempDir('ropewalk-index-', t);
  const root = join(fixtures, 'pyrepo');
  const first = await RepoIndex.build(root, loader, { cacheDir });
  assert.equal(first.stats.fromCache, 0);
  const second = await RepoIndex.build(root, loader, { cacheDir });
  assert.equal(second.stats.fromCache, 5);
  assert.equal(second.stats.parsedFiles, 5);
  for (const [path, f] of first.index.files)
    assert.deepEqual(second.index.files.get(path), f, path);
  for (const name of readdirSync(cacheDir)) writeFileSync(join(cacheDir, name), 'not gzip');
  const third = await RepoIndex.build(root, loader, { cacheDir });
  assert.equal(third.stats.fromCache, 0);
  assert.equal(third.stats.parsedFiles, 5);
});

test('a file that changes between the walk and its parse is classified again, not parsed blindly', async (t) => {
  const { parseFile } = await import('../../src/context/parse-file');
  const dir = tempDir('rw-changed-', t);
  const path = join(dir, 'a.py');
  writeFileSync(path, 'def f():\n    return 1\n');
  const ok = await parseFile(loader, 'a.py', path);
  assert.ok('syntax' in ok && ok.syntax.definitions[0]?.name === 'f');
  writeFileSync(path, Buffer.from([0x00, 0x01, 0x02, 0xff])); // now binary
  assert.deepEqual(await parseFile(loader, 'a.py', path), { path: 'a.py', skip: 'binary' });
  assert.deepEqual(await parseFile(loader, 'a.py', join(dir, 'gone.py')), {
    path: 'a.py',
    skip: 'unreadable',
  });
});
