import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  appendRecord,
  readRecords,
  summarize,
  toCsv,
  toMarkdown,
  type CompletionRecord,
} from '../../src/bench/results';
import { bestPerBudget, strategyGains } from '../../src/bench/report';
import { tempDir } from '../temp-dir';

function rec(over: Partial<CompletionRecord>): CompletionRecord {
  return {
    kind: 'completion',
    key: Math.random().toString(36),
    taskId: 't',
    level: 'line',
    path: 'a.py',
    strategy: 'ast',
    rope: 'none',
    factor: 1,
    budget: 1024,
    promptTokens: 100,
    reusedTokens: 0,
    prediction: '',
    exactMatch: 0,
    editSimilarity: 0,
    identifierMatch: 0,
    passAt1: null,
    latencyMs: 10,
    ...over,
  };
}

test('summary: one row per cell and one "all" row per (strategy, rope, budget), means as fractions', () => {
  const records = [
    rec({ level: 'line', exactMatch: 1, editSimilarity: 1, identifierMatch: 1, latencyMs: 10 }),
    rec({ level: 'line', exactMatch: 0, editSimilarity: 0.5, identifierMatch: 0, latencyMs: 30 }),
    rec({
      level: 'block',
      exactMatch: 0,
      editSimilarity: 0.25,
      identifierMatch: 0.5,
      latencyMs: 20,
    }),
    rec({ level: 'line', rope: 'yarn', budget: 2048, editSimilarity: 0.9 }),
  ];
  const rows = summarize(records, {
    strategies: ['ast'],
    ropes: ['none', 'yarn'],
    budgets: [1024, 2048],
    levels: ['line', 'block'],
  });
  assert.deepEqual(
    rows.map((r) => [r.rope, r.budget, r.level, r.n]),
    [
      ['none', 1024, 'line', 2],
      ['none', 1024, 'block', 1],
      ['none', 1024, 'all', 3],
      ['yarn', 2048, 'line', 1],
      ['yarn', 2048, 'all', 1],
    ],
  );
  const all = rows.find((r) => r.rope === 'none' && r.level === 'all');
  assert.deepEqual(all, {
    strategy: 'ast',
    rope: 'none',
    budget: 1024,
    level: 'all',
    n: 3,
    exactMatch: 1 / 3,
    editSimilarity: 1.75 / 3,
    identifierMatch: 0.5,
    passAt1: null,
    meanLatencyMs: 20,
  });
  assert.deepEqual(Object.keys(all as object), [
    'strategy',
    'rope',
    'budget',
    'level',
    'n',
    'exactMatch',
    'editSimilarity',
    'identifierMatch',
    'passAt1',
    'meanLatencyMs',
  ]);
});

test('best method per budget and AST gains over in-file and Jaccard', () => {
  const records = [
    rec({ strategy: 'ast', rope: 'none', budget: 2048, editSimilarity: 0.2 }),
    rec({ strategy: 'ast', rope: 'yarn', budget: 2048, editSimilarity: 0.6 }),
    rec({ strategy: 'infile', rope: 'yarn', budget: 2048, editSimilarity: 0.4 }),
    rec({ strategy: 'jaccard', rope: 'yarn', budget: 2048, editSimilarity: 0.5 }),
  ];
  const rows = summarize(records, {
    strategies: ['infile', 'jaccard', 'ast'],
    ropes: ['none', 'yarn'],
    budgets: [2048],
    levels: ['line'],
  });
  const best = bestPerBudget(rows, 1024);
  assert.deepEqual(best, { 2048: { method: 'yarn', factor: 2, score: 0.5 } });
  // A gap of 0.02 over a handful of tasks is noise: perplexity at the nearest probe length decides.
  const close = summarize(
    [
      rec({ strategy: 'ast', rope: 'none', budget: 2048, editSimilarity: 0.48 }),
      rec({ strategy: 'ast', rope: 'yarn', budget: 2048, editSimilarity: 0.5 }),
    ],
    { strategies: ['ast'], ropes: ['none', 'yarn'], budgets: [2048], levels: ['line'] },
  );
  const ppl = [
    { rope: 'none', length: 2048, perplexity: 300, nll: 5.7 },
    { rope: 'yarn', length: 2048, perplexity: 320, nll: 5.8 },
    { rope: 'yarn', length: 8192, perplexity: 1, nll: 0 },
  ];
  assert.deepEqual(bestPerBudget(close, 1024, ppl)[2048], {
    method: 'none',
    factor: 2,
    score: 0.48,
  });
  // Over many tasks the same gap is real and stands.
  assert.equal(
    bestPerBudget(
      close.map((r) => ({ ...r, n: 5000 })),
      1024,
      ppl,
    )[2048]?.method,
    'yarn',
  );
  const [gain] = strategyGains(rows, best);
  assert.ok(
    Math.abs((gain?.astOverInfile as number) - 0.2) < 1e-12 &&
      Math.abs((gain?.astOverJaccard as number) - 0.1) < 1e-12,
  );
});

test('JSONL results resume: records are read back by key and a torn last line is ignored', (t) => {
  const file = join(tempDir('rw-bench-', t), 'results.jsonl');
  appendRecord(file, rec({ key: 'a' }));
  appendRecord(file, rec({ key: 'b', editSimilarity: 0.5 }));
  appendFileSync(file, '{"kind":"completion","key":"c","taskI');
  const back = readRecords(file);
  assert.deepEqual([...back.keys()], ['a', 'b']);
  assert.equal((back.get('b') as CompletionRecord).editSimilarity, 0.5);
  assert.equal(readRecords(join(tmpdir(), 'no-such-file.jsonl')).size, 0);
});

test('CSV quotes what needs quoting; Markdown aligns numbers and shows null as a dash', () => {
  const rows = [{ name: 'a,b', text: 'say "hi"\nthere', value: 0.5, none: null }];
  assert.equal(toCsv(rows), 'name,text,value,none\r\n"a,b","say ""hi""\nthere",0.5,\r\n');
  assert.equal(
    toMarkdown(rows),
    '| name | text | value | none |\n|---|---|---:|---|\n| a,b | say "hi" there | 0.500 | — |\n',
  );
  assert.equal(toCsv([]), '');
});
