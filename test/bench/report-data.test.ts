import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReportData, CANCELLED_NOTE, STANDING_NOTES } from '../../src/bench/report-data';
import type { BenchRecord, CompletionRecord } from '../../src/bench/results';
import type { BenchPlan } from '../../src/bench/runner';

const plan: BenchPlan = {
  budgets: [256],
  ropes: ['none', 'yarn'],
  strategies: ['infile', 'ast'],
  levels: ['line'],
  samples: 1,
  seed: 1,
  maxTokens: 4,
  needle: null,
  perplexity: { lengths: [256], windows: 1, scoreTokens: 64 },
};

function completion(
  strategy: 'infile' | 'ast',
  rope: string,
  editSimilarity: number,
): CompletionRecord {
  return {
    kind: 'completion',
    key: `${strategy}|${rope}`,
    taskId: 't1',
    level: 'line',
    path: 'a.py',
    strategy,
    rope,
    factor: 1,
    budget: 256,
    promptTokens: 200,
    reusedTokens: 0,
    prediction: 'x',
    exactMatch: 0,
    editSimilarity,
    identifierMatch: 0,
    passAt1: null,
    latencyMs: 10,
  };
}

const records: BenchRecord[] = [
  completion('infile', 'none', 0.2),
  completion('ast', 'none', 0.6),
  completion('infile', 'yarn', 0.9),
  completion('ast', 'yarn', 0.9),
  {
    kind: 'perplexity',
    key: 'p1',
    rope: 'none',
    factor: 1,
    length: 256,
    nll: 2,
    perplexity: 7.4,
    windows: 1,
    scoredTokens: 64,
    latencyMs: 5,
  },
];

test('the report holds the summary, perplexity, the best method per budget and the strategy gains', () => {
  const data = buildReportData({
    repository: 'pyrepo',
    model: { name: 'tiny', trainLength: 128 },
    plan,
    tasks: 1,
    wallMs: 1234,
    records,
    cancelled: false,
    notes: ['passAt1 is null: not asked for.'],
    createdAt: new Date('2025-01-02T03:04:05Z'),
  });
  assert.equal(data.meta.repository, 'pyrepo');
  assert.equal(data.meta.createdAt, '2025-01-02T03:04:05.000Z');
  assert.deepEqual(data.meta.plan, { ...plan });
  assert.deepEqual(data.meta.notes, ['passAt1 is null: not asked for.', ...STANDING_NOTES]);
  assert.deepEqual(
    data.summary.filter((r) => r.level === 'all').map((r) => `${r.strategy}/${r.rope}`),
    ['infile/none', 'infile/yarn', 'ast/none', 'ast/yarn'],
  );
  assert.equal(data.best['256']?.method, 'yarn');
  assert.equal(data.best['256']?.factor, 2);
  assert.deepEqual(data.perplexity, [{ rope: 'none', length: 256, perplexity: 7.4, nll: 2 }]);
  assert.equal(data.gains.length, 1);
  assert.equal(data.needles.length, 0);
});

test('an interrupted run says so last among the notes', () => {
  const data = buildReportData({
    repository: 'r',
    model: { name: 'm', trainLength: 256 },
    plan,
    tasks: 1,
    wallMs: 1,
    records: [],
    cancelled: true,
  });
  assert.equal(data.meta.notes.at(-1), CANCELLED_NOTE);
  assert.deepEqual(data.summary, []);
  assert.deepEqual(data.best, {});
});
