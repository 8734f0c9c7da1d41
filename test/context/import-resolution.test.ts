import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveImport, type TsconfigPaths } from '../../src/context/import-resolution';

const repo = (...paths: string[]) => {
  const files = new Set(paths);
  return (p: string) => files.has(p);
};
const none: TsconfigPaths = { aliases: [] };

test('Python: relative and absolute dotted modules, packages, stubs', () => {
  const has = repo('pkg/util.py', 'pkg/sub/__init__.py', 'src/lib/core.pyi', 'pkg/sub/mod.py');
  const from = { path: 'pkg/sub/mod.py', language: 'python' };
  assert.equal(resolveImport(from, '..util', has, none), 'pkg/util.py');
  assert.equal(resolveImport(from, '.', has, none), 'pkg/sub/__init__.py');
  assert.equal(resolveImport(from, 'pkg.util', has, none), 'pkg/util.py');
  assert.equal(resolveImport(from, 'lib.core', has, none), 'src/lib/core.pyi');
  assert.equal(resolveImport(from, 'os.path', has, none), undefined);
});

test('JavaScript family: relative paths with or without extension, ESM .js for .ts, tsconfig aliases', () => {
  const has = repo('src/util.ts', 'src/geo/index.tsx', 'lib/a.js', 'src/app/main.ts');
  const from = { path: 'src/app/main.ts', language: 'typescript' };
  assert.equal(resolveImport(from, '../util', has, none), 'src/util.ts');
  assert.equal(resolveImport(from, '../util.js', has, none), 'src/util.ts');
  assert.equal(resolveImport(from, '../geo', has, none), 'src/geo/index.tsx');
  assert.equal(resolveImport(from, 'react', has, none), undefined);
  const aliases: TsconfigPaths = {
    aliases: [{ prefix: '@/', suffix: '', targets: ['src/*'] }],
    baseUrl: '.',
  };
  assert.equal(resolveImport(from, '@/util', has, aliases), 'src/util.ts');
  assert.equal(resolveImport(from, 'lib/a', has, aliases), 'lib/a.js');
  // A file of no known language resolves the JavaScript way, as before the language table.
  assert.equal(
    resolveImport({ path: 'src/app/x.vue', language: 'vue' }, '../util', has, none),
    'src/util.ts',
  );
});
