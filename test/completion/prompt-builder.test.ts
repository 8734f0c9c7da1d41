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
import { repoRoot } from '../repo-root';
import { bundledModel } from '../test-models';

const root = join(repoRoot(), 'test', 'fixtures', 'pyrepo');

test('keystroke after keystroke the chunks keep their tokens and the prompt reuses its prefix', async () => {
  const { index } = await RepoIndex.build(root, new SyntaxLoader(join(repoRoot(), 'grammars')));
  const tok = loadModelTokenizer(bundledModel());
  let encoded = 0;
  const counting = Object.assign(Object.create(tok) as PromptTokenizer, {
    encode: (t: string) => {
      encoded += t.length;
      return tok.encode(t);
    },
  });
  const texts = new FileTexts(root);
  const builder = new PromptBuilder(index, counting, texts.get);
  const path = 'tests/test_square.py';
  const text = readFileSync(join(root, path), 'utf8');
  const offset = text.indexOf('Square(2).') + 'Square(2).'.length;
  const first = builder.build({ path, text, offset, budget: 2048, strategy: 'ast' });
  assert.ok(first.packed.chunks.some((c) => c.source === 'shapes/square.py'));
  assert.equal(first.packed.reusedTokens, 0);
  const firstEncoded = encoded;
  encoded = 0;
  const typed = text.slice(0, offset) + 'a' + text.slice(offset);
  const second = builder.build({
    path,
    text: typed,
    offset: offset + 1,
    budget: 2048,
    strategy: 'ast',
  });
  assert.deepEqual(
    second.packed.chunks.map((c) => c.key),
    first.packed.chunks.map((c) => c.key),
  );
  // Only the cursor's file was tokenized again.
  assert.ok(
    encoded <= typed.length + 64,
    `${encoded} characters encoded, the file has ${typed.length}`,
  );
  assert.ok(firstEncoded > encoded);
  const chunkTokens = second.packed.segments.slice(0, -1).flat().length;
  assert.ok(
    second.packed.reusedTokens >= chunkTokens,
    `${second.packed.reusedTokens} reused of ${chunkTokens} chunk tokens`,
  );
});
