import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { typingReuse } from '../../src/bench/typing-reuse';
import { PromptBuilder } from '../../src/completion/prompt-builder';
import { FileTexts } from '../../src/context/file-texts';
import { RepoIndex } from '../../src/context/repo-index';
import { SyntaxLoader } from '../../src/context/syntax';
import { loadModelTokenizer } from '../../src/model/model-source';
import { repoRoot } from '../repo-root';
import { bundledModel } from '../test-models';

test('typing in the middle of a file: SPM leaves the last tokens to compute, PSM the suffix too', async () => {
  const root = join(repoRoot(), 'src', 'packing');
  const { index } = await RepoIndex.build(root, new SyntaxLoader(join(repoRoot(), 'grammars')));
  const tok = loadModelTokenizer(bundledModel());
  const texts = new FileTexts(root);
  const builders = new Map(
    (['spm', 'psm'] as const).map((o) => [
      o,
      new PromptBuilder(index, tok, texts.get, { order: o }),
    ]),
  );
  const options = { cursors: 3, keystrokes: 5, budget: 1024, strategy: 'ast' as const, seed: 3 };
  const [spm, psm] = await typingReuse(index, builders, texts.get, options);
  assert.equal(spm?.order, 'spm');
  assert.equal(psm?.order, 'psm');
  assert.ok(spm.keystrokes > 0 && spm.keystrokes === psm.keystrokes);
  // SPM: the typed character and the closing marker; PSM: also every suffix token after them.
  assert.ok(spm.recomputed.p50 <= 4, `SPM recomputes ${spm.recomputed.p50}`);
  assert.ok(psm.recomputed.p50 > spm.recomputed.p50 + 8, `PSM recomputes ${psm.recomputed.p50}`);
  assert.equal(spm.prefillMs, undefined, 'no model, no timings');
});
