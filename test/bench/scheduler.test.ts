import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BenchRecord, PerplexityRecord } from '../../src/bench/results';
import {
  scheduleCells,
  type BenchCell,
  type CellKind,
  type CellProgress,
} from '../../src/bench/scheduler';

function record(key: string, rope: string, nll = 1): PerplexityRecord {
  return {
    kind: 'perplexity',
    key,
    rope,
    factor: 1,
    length: 256,
    nll,
    perplexity: Math.exp(nll),
    windows: 1,
    scoredTokens: 8,
    latencyMs: 1,
  };
}

/** A cell that records that it ran and makes a record named after its key. */
function cell(
  key: string,
  ran: string[],
  estimateMs = 10,
  kind: CellKind = 'perplexity',
  before?: () => void,
): BenchCell {
  return {
    key,
    kind,
    label: `cell ${key}`,
    estimateMs,
    run: async () => {
      ran.push(key);
      before?.();
      return record(key, key.split('|')[1] ?? key);
    },
  };
}

test('cells already in the results file are skipped; the outcome covers them and the new ones only', async () => {
  const ran: string[] = [];
  const saved: BenchRecord[] = [];
  const existing = new Map<string, BenchRecord>([
    ['p|b', record('p|b', 'b')],
    ['other|x', record('other|x', 'x')],
  ]);
  const schedule = scheduleCells(
    [cell('p|a', ran), cell('p|b', ran), cell('p|c', ran)],
    existing,
    (r) => saved.push(r),
  );
  assert.deepEqual(
    schedule.pending.map((c) => c.key),
    ['p|a', 'p|c'],
  );
  assert.equal(schedule.done, 1);
  const outcome = await schedule.run();
  assert.deepEqual(ran, ['p|a', 'p|c']);
  assert.deepEqual(
    saved.map((r) => r.key),
    ['p|a', 'p|c'],
  );
  assert.equal(outcome.ranCells, 2);
  assert.equal(outcome.cancelled, false);
  assert.deepEqual(outcome.records.map((r) => r.key).sort(), ['p|a', 'p|b', 'p|c']);
});

test('an alias copies its base record with its own key, rope and factor, after the base has run', async () => {
  const ran: string[] = [];
  const saved: BenchRecord[] = [];
  const cells: BenchCell[] = [
    // Listed before its base: it still runs after it.
    {
      key: 'p|linear',
      kind: 'perplexity',
      label: 'linear',
      aliasOf: 'p|none',
      rope: 'linear',
      factor: 1,
    },
    cell('p|none', ran),
    // The base is already in the results file.
    { key: 'p|yarn', kind: 'perplexity', label: 'yarn', aliasOf: 'p|old', rope: 'yarn', factor: 1 },
    // The base never produced a record: nothing to copy, the cell is skipped.
    {
      key: 'p|ntk',
      kind: 'perplexity',
      label: 'ntk',
      aliasOf: 'p|missing',
      rope: 'ntk',
      factor: 2,
    },
  ];
  const existing = new Map<string, BenchRecord>([['p|old', record('p|old', 'old', 3)]]);
  const schedule = scheduleCells(cells, existing, (r) => saved.push(r));
  assert.deepEqual(
    schedule.pending.map((c) => c.key),
    ['p|none', 'p|linear', 'p|yarn', 'p|ntk'],
  );
  const outcome = await schedule.run();
  assert.deepEqual(ran, ['p|none']);
  assert.deepEqual(
    saved.find((r) => r.key === 'p|linear'),
    { ...record('p|none', 'none'), key: 'p|linear', rope: 'linear', factor: 1, sameAs: 'none' },
  );
  assert.deepEqual(
    saved.find((r) => r.key === 'p|yarn'),
    { ...record('p|old', 'old', 3), key: 'p|yarn', rope: 'yarn', factor: 1, sameAs: 'old' },
  );
  assert.equal(outcome.ranCells, 3);
  assert.equal(outcome.skippedCells, 1);
  assert.equal(
    saved.some((r) => r.key === 'p|ntk'),
    false,
  );
});

test('cancelling stops between cells and keeps what finished; cancelled before the start runs nothing', async () => {
  const ran: string[] = [];
  const saved: BenchRecord[] = [];
  const controller = new AbortController();
  const cells = [
    cell('p|a', ran),
    cell('p|b', ran, 10, 'perplexity', () => controller.abort()),
    cell('p|c', ran),
  ];
  const outcome = await scheduleCells(cells, new Map(), (r) => saved.push(r)).run({
    signal: controller.signal,
  });
  assert.equal(outcome.cancelled, true);
  assert.deepEqual(ran, ['p|a', 'p|b']);
  assert.deepEqual(
    saved.map((r) => r.key),
    ['p|a', 'p|b'],
  );

  const none: string[] = [];
  const again = await scheduleCells([cell('p|a', none)], new Map(), () => {}).run({
    signal: AbortSignal.abort(),
  });
  assert.equal(again.cancelled, true);
  assert.deepEqual(none, []);
});

test('the estimate sums the pending cells that run; counts and progress go by kind', async () => {
  const ran: string[] = [];
  const cells: BenchCell[] = [
    cell('c|1', ran, 100, 'completion'),
    cell('c|2', ran, 300, 'completion'),
    { key: 'c|3', kind: 'completion', label: 'alias', aliasOf: 'c|1', rope: 'linear', factor: 1 },
    cell('n|1', ran, 50, 'needle'),
    cell('p|1', ran, 1000, 'perplexity'),
  ];
  const schedule = scheduleCells(cells, new Map([['p|1', record('p|1', '1')]]), () => {});
  assert.equal(schedule.estimateMs, 450);
  assert.deepEqual(schedule.counts, { completion: 3, needle: 1, perplexity: 0 });
  const progress: CellProgress[] = [];
  await schedule.run({ onProgress: (p) => progress.push(p) });
  assert.deepEqual(
    progress.map((p) => [p.kind, p.done, p.total]),
    [
      ['completion', 1, 4],
      ['completion', 2, 4],
      ['completion', 3, 4],
      ['needle', 4, 4],
    ],
  );
  assert.equal(progress.at(-1)?.etaMs, 0);
  assert.ok(progress.every((p) => p.etaMs >= 0 && p.label.length > 0));
});
