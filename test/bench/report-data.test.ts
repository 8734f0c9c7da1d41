import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildReportData,
  CANCELLED_NOTE,
  serverRows,
  SERVER_NOTES,
  STANDING_NOTES,
} from '../../src/bench/report-data';
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

test('a server run: its notes instead of the RoPE ones, latency and cache share per budget, no best method', () => {
  const at = (budget: number, latencyMs: number, reusedTokens: number, cacheUnknown = false) => ({
    ...completion('ast', 'server', 0.5),
    key: `${budget}|${latencyMs}`,
    budget,
    latencyMs,
    reusedTokens,
    ...(cacheUnknown ? { cacheUnknown: true } : {}),
  });
  const server = {
    backend: 'llama-server',
    host: '10.0.0.2:8080',
    model: 'qwen.gguf',
    family: 'qwen2.5-coder',
    contextTokens: 4096,
    skipped: [{ cells: 'needle', reason: 'needs log-probabilities' }],
  };
  const data = buildReportData({
    repository: 'r',
    model: { name: 'qwen.gguf', trainLength: 4096 },
    plan: { ...plan, budgets: [256, 512, 1024], ropes: [], perplexity: null },
    tasks: 2,
    wallMs: 1,
    records: [at(256, 10, 50), at(256, 30, 150), at(512, 20, 0, true)],
    cancelled: false,
    server,
  });
  assert.deepEqual(data.meta.server, server);
  assert.deepEqual(data.meta.notes, [...SERVER_NOTES]);
  assert.deepEqual(data.best, {});
  assert.deepEqual(
    serverRows([at(256, 10, 50), at(256, 30, 150)], [256]),
    data.serverRows?.slice(0, 1),
  );
  assert.deepEqual(data.serverRows, [
    {
      budget: 256,
      n: 2,
      p50LatencyMs: 10,
      p95LatencyMs: 30,
      meanPromptTokens: 200,
      cachedShare: 0.5,
    },
    // The server did not say: no share rather than 0.
    {
      budget: 512,
      n: 1,
      p50LatencyMs: 20,
      p95LatencyMs: 20,
      meanPromptTokens: 200,
      cachedShare: null,
    },
  ]);
});
