import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { proposalsFor } from '../../src/context/proposals';
import { RepoIndex } from '../../src/context/repo-index';
import { SyntaxLoader } from '../../src/context/syntax';
import { repoRoot } from '../repo-root';

const fixtures = join(repoRoot(), 'test', 'fixtures');
const loader = new SyntaxLoader(join(repoRoot(), 'grammars'));

async function at(repo: string, path: string, marker: string) {
  const root = join(fixtures, repo);
  const { index } = await RepoIndex.build(root, loader);
  const text = readFileSync(join(root, path), 'utf8');
  const offset = text.indexOf(marker) + marker.length;
  const read = (p: string) => readFileSync(join(root, p), 'utf8');
  return { index, cursor: { path, text, offset }, read };
}

test('Python: at Square(2).| the definition of Square and its parent Shape are proposed', async () => {
  const { index, cursor, read } = await at('pyrepo', 'tests/test_square.py', 'Square(2).');
  const p = proposalsFor('ast', index, cursor, read);
  const def = p.find((x) => x.type === 'definition' && x.source === 'shapes/square.py');
  assert.ok(def, JSON.stringify(p.map((x) => [x.type, x.source])));
  assert.match(def.text, /class Square\(Shape\)/);
  assert.match(def.text, /def area\(self\) -> float/);
  const parent = p.find((x) => x.type === 'parent-class');
  assert.equal(parent?.source, 'shapes/base.py');
  assert.match(parent?.text ?? '', /def area/);
  assert.deepEqual(proposalsFor('infile', index, cursor, read), []);
});

test('Python: inside the implementation, the test beside it and the imported helper are proposed', async () => {
  const { index, cursor, read } = await at('pyrepo', 'shapes/square.py', 'self.side = ');
  const p = proposalsFor('ast', index, cursor, read);
  assert.ok(
    p.some(
      (x) => x.type === 'definition' && x.source === 'units.py' && /def to_metres/.test(x.text),
    ),
  );
  // Shape is both the parent and a name used before the cursor: proposed once, as whichever came first.
  assert.ok(p.some((x) => x.source === 'shapes/base.py' && /class Shape/.test(x.text)));
  assert.equal(
    p.filter((x) => x.source === 'shapes/base.py' && /class Shape/.test(x.text)).length,
    1,
  );
  assert.ok(
    p.some((x) => x.type === 'sibling' && x.source === 'tests/test_square.py'),
    JSON.stringify(p.map((x) => [x.type, x.source])),
  );
});

test('TypeScript: a class imported through a tsconfig alias is found, with its parent', async () => {
  const { index, cursor, read } = await at('tsrepo', 'src/app/main.ts', 'new Circle(r).');
  const p = proposalsFor('ast', index, cursor, read);
  const def = p.find((x) => x.type === 'definition' && x.source === 'src/geometry/circle.ts');
  assert.ok(def);
  assert.match(def.text, /class Circle extends Shape/);
  assert.ok(p.some((x) => x.type === 'parent-class' && x.source === 'src/geometry/shape.ts'));
});

test('Jaccard windows find the most similar code in other files; keys are stable', async () => {
  const { index, cursor, read } = await at('pyrepo', 'tests/test_square.py', 'Square(2).');
  const a = proposalsFor('jaccard', index, cursor, read);
  assert.ok(a.length > 0);
  assert.ok(a.every((x) => x.type === 'similar-window' && x.source !== cursor.path));
  assert.equal(a[0]?.source, 'shapes/square.py');
  const b = proposalsFor('jaccard', index, { ...cursor, offset: cursor.offset - 1 }, read);
  assert.deepEqual(
    b.map((x) => x.key),
    a.map((x) => x.key),
  );
  const both = proposalsFor('ast+jaccard', index, cursor, read);
  assert.ok(
    both.some((x) => x.type === 'similar-window') && both.some((x) => x.type === 'definition'),
  );
});
