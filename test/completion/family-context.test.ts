// The bundled model and GGUF models of every family get the same repository context at the same
// cursor: the prompt builder chooses the same chunks (sources and text, in order) whatever the
// tokenizer, and only the template's wrapping (markers, paths, the repository's name) differs.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PromptBuilder } from '../../src/completion/prompt-builder';
import { FileTexts } from '../../src/context/file-texts';
import { RepoIndex } from '../../src/context/repo-index';
import { SyntaxLoader } from '../../src/context/syntax';
import { loadModelTokenizer } from '../../src/model/model-source';
import type { PromptTokenizer } from '../../src/model/tokenizers/load-tokenizer';
import { FAMILY_VOCABS, wordsOf } from '../packing/family-specs';
import { familyTokenizer } from '../packing/family-vocab';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';
import { bundledModel } from '../test-models';

const root = join(repoRoot(), 'test', 'fixtures', 'pyrepo');
const PATH = 'shapes/square.py';
const TEXT = readFileSync(join(root, PATH), 'utf8');
// Mid-line, with text on both sides: after `self.side = to_metres(`.
const OFFSET = TEXT.indexOf('to_metres(side)') + 'to_metres('.length;
// Room for every proposal with any of the vocabularies: the selection, not the budget, is compared.
const BUDGET = 1 << 20;

async function tokenizers(): Promise<Array<[string, PromptTokenizer]>> {
  const dir = tempDir('rw-family-context-');
  const words = wordsOf(
    ['shapes/base.py', 'shapes/square.py', 'units.py'].map((f) =>
      readFileSync(join(root, f), 'utf8'),
    ),
  );
  const out: Array<[string, PromptTokenizer]> = [['ropewalk', loadModelTokenizer(bundledModel())]];
  for (const [family, layout] of Object.entries(FAMILY_VOCABS))
    out.push([family, await familyTokenizer(dir, family, { ...layout, words })]);
  return out;
}

test('every family’s prompt holds the same repository chunks as the bundled model’s; only the wrapping differs', async () => {
  const { index } = await RepoIndex.build(root, new SyntaxLoader(join(repoRoot(), 'grammars')));
  const texts = new FileTexts(root);
  const built = (await tokenizers()).map(([family, tok]) => {
    const builder = new PromptBuilder(index, tok, texts.get);
    assert.equal(builder.template.family, family, 'the vocabulary selects its family’s template');
    const b = builder.build({
      path: PATH,
      text: TEXT,
      offset: OFFSET,
      budget: BUDGET,
      strategy: 'ast',
    });
    return { family, tok, ...b };
  });
  const [bundled, ...families] = built;
  assert.ok(bundled && bundled.packed.chunks.length >= 2, 'the cursor has repository context');
  const chosen = (b: typeof bundled) =>
    b.packed.chunks.map((c) => ({ key: c.key, source: c.source, text: c.text }));
  for (const b of built)
    assert.equal(b.packed.chunks.length, b.proposals.length, `${b.family}: every proposal fits`);
  for (const f of families) {
    assert.deepEqual(f.proposals, bundled.proposals, `${f.family}: the same proposals`);
    assert.deepEqual(chosen(f), chosen(bundled), `${f.family}: the same chunks, in the same order`);
  }

  // Decoded, each prompt is the chunks' text in that order, then the cursor's file, held together by
  // the template's markers, the files' paths (as headers or comments) and the repository's name.
  const prefix = TEXT.slice(0, OFFSET);
  const suffix = TEXT.slice(OFFSET);
  const wrappings = new Map<string, string>();
  for (const b of built) {
    const prompt = b.tok.decode(b.packed.segments.flat());
    let at = 0;
    const glue: string[] = [];
    for (const part of b.packed.chunks.map((c) => c.text)) {
      const found = prompt.indexOf(part, at);
      assert.ok(found >= 0, `${b.family}: chunk ${JSON.stringify(part.slice(0, 40))} in order`);
      glue.push(prompt.slice(at, found));
      at = found + part.length;
    }
    // Ropewalk's own models are trained suffix first (SPM); the others prefix first.
    const file = b.family === 'ropewalk' ? [suffix, prefix] : [prefix, suffix];
    for (const part of file) {
      const found = prompt.indexOf(part, at);
      assert.ok(found >= 0, `${b.family}: the cursor's file after the chunks`);
      glue.push(prompt.slice(at, found));
      at = found + part.length;
    }
    glue.push(prompt.slice(at));
    const wrapping = glue.join('¦');
    const paths = [PATH, ...b.packed.chunks.map((c) => c.source)];
    let rest = wrapping.replace(/<[^<>\n]+>/g, '').replace(/[▁#¦]/g, '');
    for (const p of [...paths, 'pyrepo']) rest = rest.replaceAll(p, '');
    assert.match(rest, /^\s*$/, `${b.family}: only markers, paths and layout around the text`);
    wrappings.set(b.family, wrapping);
  }
  assert.equal(new Set(wrappings.values()).size, built.length, 'each family wraps differently');
});
