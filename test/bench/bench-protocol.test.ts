import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, isBenchControl, isBenchEvent } from '../../src/bench/bench-protocol';

test('only objects of a known type are benchmark events or controls', () => {
  assert.equal(
    isBenchEvent({
      type: 'progress',
      phase: 'needle',
      done: 1,
      total: 2,
      elapsedMs: 0,
      etaMs: 0,
      label: '',
    }),
    true,
  );
  assert.equal(
    isBenchEvent({ type: 'done', report: '/r.json', cancelled: false, ranCells: 1, wallMs: 1 }),
    true,
  );
  for (const m of [null, 'log', 42, {}, { type: 'cancel' }, { type: 'text' }])
    assert.equal(isBenchEvent(m), false, JSON.stringify(m));
  assert.equal(isBenchControl({ type: 'cancel' }), true);
  assert.equal(isBenchControl({ type: 'log', line: 'cancel' }), false);
  assert.equal(isBenchControl(undefined), false);
});

test('durations read as seconds, then minutes and padded seconds', () => {
  assert.equal(formatDuration(400), '0 s');
  assert.equal(formatDuration(59_400), '59 s');
  assert.equal(formatDuration(60_000), '1 min 00 s');
  assert.equal(formatDuration(725_000), '12 min 05 s');
});
