import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { languageForPath } from '../../src/context/languages';
import { RepoIndex } from '../../src/context/repo-index';
import { IncrementalDocument, SyntaxLoader, type TextChange } from '../../src/context/syntax';
import { repoRoot } from '../repo-root';

const loader = new SyntaxLoader(join(repoRoot(), 'grammars'));

/** Applies one change to a string, the way an editor would. */
function applied(text: string, c: TextChange): string {
  return text.slice(0, c.start) + c.text + text.slice(c.end);
}

test('an incrementally re-parsed document extracts the same as a fresh parse, non-ASCII text included', async () => {
  const spec = languageForPath('a.py');
  assert.ok(spec);
  let text = '# café ☕ 🚀\nclass Émigré:\n    def go(self):\n        return 1\n';
  const doc = await IncrementalDocument.open(loader, spec, text);
  const changes: TextChange[] = [
    { start: text.length, end: text.length, text: '\ndef added(x):\n    return x\n' },
    { start: 2, end: 6, text: 'naïve 🧪' },
  ];
  // Each change is against the text the previous one left.
  for (const c of changes) text = applied(text, c);
  await doc.apply(changes);
  assert.equal(doc.text, text);
  const fresh = await loader.extract(spec, text);
  assert.deepEqual(doc.syntax(), fresh);
  assert.ok(doc.syntax().definitions.some((d) => d.name === 'added'));
  // Typing a syntax error and fixing it again.
  const broken = { start: text.indexOf('return x'), end: text.indexOf('return x'), text: 'def (' };
  await doc.apply([broken]);
  assert.equal(doc.syntax().hasErrors, true);
  await doc.apply([{ start: broken.start, end: broken.start + 5, text: '' }]);
  assert.deepEqual(doc.syntax(), fresh);
  doc.dispose();
});

test('a change outside the text is refused and the document is unchanged', async () => {
  const spec = languageForPath('a.ts');
  assert.ok(spec);
  const doc = await IncrementalDocument.open(loader, spec, 'let a = 1;\n');
  await assert.rejects(doc.apply([{ start: 5, end: 50, text: 'x' }]), RangeError);
  assert.equal(doc.text, 'let a = 1;\n');
  doc.dispose();
});

test('editing an open document re-indexes its definitions and imports', async () => {
  const { index } = await RepoIndex.build(join(repoRoot(), 'test', 'fixtures', 'pyrepo'), loader);
  const path = 'shapes/new_shape.py';
  await index.openDocument(path, 'from .base import Shape\n');
  assert.equal(index.files.get(path)?.imports[0]?.resolved, 'shapes/base.py');
  const before = 'from .base import Shape\n';
  const added = 'class Hexagon(Shape):\n    pass\n';
  await index.editDocument(
    path,
    [{ start: before.length, end: before.length, text: added }],
    before + added,
  );
  assert.deepEqual(
    index.definitionsOf('Hexagon').map((d) => d.file),
    [path],
  );
  assert.deepEqual(index.files.get(path)?.parents, { Hexagon: ['Shape'] });
  // Changes that do not lead to the editor's text: the editor wins.
  await index.editDocument(path, [], 'def octagon():\n    pass\n');
  assert.deepEqual(index.definitionsOf('Hexagon'), []);
  assert.deepEqual(
    index.definitionsOf('octagon').map((d) => d.file),
    [path],
  );
  index.closeDocument(path);
});

test('parsesCleanly answers synchronously once a language is loaded', async () => {
  const spec = languageForPath('a.py');
  assert.ok(spec);
  const fresh = new SyntaxLoader(join(repoRoot(), 'grammars'));
  assert.equal(fresh.parsesCleanly(spec, 'x = 1\n'), undefined); // not loaded yet
  await fresh.load(spec);
  assert.equal(fresh.parsesCleanly(spec, 'def f(x):\n    return x\n'), true);
  assert.equal(fresh.parsesCleanly(spec, 'def f(x:\n    return x\n'), false);
});
