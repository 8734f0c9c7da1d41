import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { contextBench, definitionRecall } from '../../src/bench/context-bench';
import { PromptBuilder } from '../../src/completion/prompt-builder';
import { FileTexts } from '../../src/context/file-texts';
import { RepoIndex } from '../../src/context/repo-index';
import { SyntaxLoader } from '../../src/context/syntax';
import { loadModelTokenizer } from '../../src/model/model-source';
import { repoRoot } from '../repo-root';
import { bundledModel } from '../test-models';

const root = join(repoRoot(), 'test', 'fixtures', 'tsrepo');

async function setup() {
  const { index } = await RepoIndex.build(root, new SyntaxLoader(join(repoRoot(), 'grammars')));
  const texts = new FileTexts(root);
  const tok = loadModelTokenizer(bundledModel());
  return { index, texts, builder: new PromptBuilder(index, tok, texts.get) };
}

test('definition recall finds the imported definitions a line uses, at cursors given as the editor shows them', async () => {
  const { index, texts, builder } = await setup();
  const rows = definitionRecall(index, builder, texts.get, {
    cursors: 3,
    budget: 2048,
    strategy: 'ast',
    seed: 3,
  });
  assert.ok(rows.length > 0);
  for (const r of rows) {
    assert.notEqual(r.path, r.definedIn);
    const line = (texts.get(r.path) as string).split('\n')[r.line - 1] as string;
    assert.ok(
      line.slice(0, r.column - 1).endsWith(r.name + line[r.column - 2]),
      `${line} at ${r.column}`,
    );
    assert.equal(r.found, true, JSON.stringify(r));
  }
  // In-file context cannot show another file's definition.
  const infile = definitionRecall(index, builder, texts.get, {
    cursors: 3,
    budget: 2048,
    strategy: 'infile',
    seed: 3,
  });
  assert.ok(infile.every((r) => !r.found));
});

test('retyping lines leaves the index as it found it', async () => {
  const { index, texts, builder } = await setup();
  const snapshot = () =>
    JSON.stringify([...index.files.values()].sort((a, b) => a.path.localeCompare(b.path)));
  const before = snapshot();
  const r = await contextBench(index, builder, texts.get, {
    cursors: 2,
    keystrokes: 3,
    budget: 1024,
    strategy: 'ast',
    seed: 1,
  });
  assert.ok(r.cursors >= 1);
  assert.ok(r.warm.p50 >= 0 && r.reindexIncremental.p50 >= 0);
  assert.equal(snapshot(), before);
});
