import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileTexts } from '../../src/context/file-texts';
import { RepoIndex } from '../../src/context/repo-index';
import { SyntaxLoader } from '../../src/context/syntax';
import { OnnxModel } from '../../src/model/onnx-backend';
import { loadTokenizer } from '../../src/model/tokenizers/load-tokenizer';
import { prepareBench, type BenchPlan, type BenchProgress } from '../../src/bench/runner';
import type { CompletionRecord } from '../../src/bench/results';
import { completeOnce, completionStopTokens } from '../../src/completion/complete-once';
import { localEngine } from '../../src/completion/local-engine';
import { PromptBuilder } from '../../src/completion/prompt-builder';
import { languageForPath } from '../../src/context/languages';
import { Generator } from '../../src/model/generate';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';
import { committedModel } from '../test-models';

test('the runner runs every cell on the tiny model, streams JSONL, and resumes without rerunning', async (t) => {
  const root = join(repoRoot(), 'test', 'fixtures', 'pyrepo');
  const loader = new SyntaxLoader(join(repoRoot(), 'grammars'));
  const { index } = await RepoIndex.build(root, loader);
  const model = await OnnxModel.load(committedModel('tiny'), { provider: 'cpu' });
  try {
    const tok = loadTokenizer(model.files.tokenizer);
    const texts = new FileTexts(root);
    const plan: BenchPlan = {
      budgets: [256, 512],
      ropes: ['none', 'linear', 'yarn'],
      strategies: ['infile', 'ast'],
      levels: ['expression', 'line'],
      samples: 3,
      seed: 5,
      maxTokens: 6,
      needle: { lengths: [200, 400], depths: [0, 1], trials: 1 },
      perplexity: null,
    };
    const out = join(tempDir('rw-runner-', t), 'results.jsonl');
    const cost = { a: 0.1, b: 0, decodeMs: 1 };
    const ctx = { model, tok, index, texts, loader };
    const first = await prepareBench(ctx, plan, out, { cost });
    assert.equal(first.tasks.length, 3);
    assert.equal(first.counts.completion, 3 * 2 * 2 * 3);
    assert.equal(first.counts.needle, 2 * 2 * 3);
    const progress: BenchProgress[] = [];
    const outcome = await first.run({ onProgress: (p) => progress.push(p) });
    assert.equal(outcome.cancelled, false);
    assert.equal(progress.at(-1)?.done, first.pending);
    assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, first.pending);
    const completions = outcome.records.filter(
      (r): r is CompletionRecord => r.kind === 'completion',
    );
    // At 256 tokens (the tiny model's training length) linear and yarn are `none`: its results, not a rerun.
    assert.ok(
      completions
        .filter((r) => r.budget === 256 && r.rope !== 'none')
        .every((r) => r.sameAs === 'none'),
    );
    assert.ok(
      completions
        .filter((r) => r.budget === 512)
        .every((r) => r.sameAs === undefined && r.factor === 2),
    );
    for (const r of completions) {
      assert.ok(
        r.promptTokens <= r.budget &&
          r.editSimilarity >= 0 &&
          r.editSimilarity <= 1 &&
          r.passAt1 === null,
      );
    }
    // The hole's file was shown with its hole while prompts were built, and is whole again afterwards.
    assert.equal(
      texts.get('shapes/square.py'),
      readFileSync(join(root, 'shapes/square.py'), 'utf8'),
    );

    const again = await prepareBench(ctx, plan, out, { cost });
    assert.equal(again.pending, 0);
    const resumed = await again.run();
    assert.equal(resumed.ranCells, 0);
    assert.equal(resumed.records.length, outcome.records.length);

    // Cancelled before it starts: nothing runs.
    const controller = new AbortController();
    controller.abort();
    const other = await prepareBench(ctx, { ...plan, seed: 6, needle: null }, out, { cost });
    const cancelled = await other.run({ signal: controller.signal });
    assert.equal(cancelled.cancelled, true);
    assert.equal(cancelled.ranCells, 0);
  } finally {
    await model.dispose();
  }
});

test('a completion cell records exactly what completeOnce, the editor’s path, gives for the same hole', async (t) => {
  const root = join(repoRoot(), 'test', 'fixtures', 'pyrepo');
  const loader = new SyntaxLoader(join(repoRoot(), 'grammars'));
  const model = await OnnxModel.load(committedModel('tiny'), { provider: 'cpu' });
  try {
    const tok = loadTokenizer(model.files.tokenizer);
    const plan: BenchPlan = {
      budgets: [512],
      ropes: ['yarn'],
      strategies: ['ast'],
      levels: ['statement', 'line'],
      samples: 2,
      seed: 3,
      maxTokens: 6,
      needle: null,
      perplexity: null,
    };
    const out = join(tempDir('rw-runner-', t), 'results.jsonl');
    const bench = {
      model,
      tok,
      index: (await RepoIndex.build(root, loader)).index,
      texts: new FileTexts(root),
      loader,
    };
    const prepared = await prepareBench(bench, plan, out, { cost: { a: 0.1, b: 0, decodeMs: 1 } });
    const records = (await prepared.run()).records.filter(
      (r): r is CompletionRecord => r.kind === 'completion',
    );
    assert.equal(records.length, 2);
    const raws: string[] = [];
    for (const record of records) {
      const task = prepared.tasks.find((x) => x.id === record.taskId);
      assert.ok(task);
      // A fresh index and engine, the hole's file shown holed, as the benchmark shows it.
      const holed = task.prefix + task.suffix;
      const { index } = await RepoIndex.build(root, loader);
      const texts = new FileTexts(root);
      texts.setOpen(task.path, holed);
      await index.update(task.path, holed);
      const settings = {
        budget: 512,
        strategy: 'ast' as const,
        maxTokens: 6,
        stopTokens: completionStopTokens(tok),
        rope: {
          method: 'yarn' as const,
          options: { factor: 2, length: 512 },
          source: 'setting' as const,
        },
      };
      const language = languageForPath(task.path)?.id ?? 'python';
      const result = await completeOnce(
        { path: task.path, text: holed, offset: task.prefix.length, language },
        settings,
        {
          builder: new PromptBuilder(index, tok, texts.get),
          engine: localEngine(new Generator(model, tok)),
          loader,
        },
      );
      assert.equal(record.prediction, result?.text ?? '', `${task.path} ${task.level}`);
      assert.equal(record.promptTokens, result?.generation.promptTokens);
      raws.push(result?.raw ?? '');
    }
    assert.ok(
      raws.some((r) => r.length > 0),
      'the model said something: the comparison is not of two empty strings',
    );
  } finally {
    await model.dispose();
  }
});
