import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AdaptiveDebounce,
  DEFAULT_DEBOUNCE_MS,
  debounceMsFrom,
  delay,
} from '../../src/completion/debounce';
import { CancelledError, isCancelled } from '../../src/completion/errors';

const keys = (d: AdaptiveDebounce, times: number[]) => times.forEach((t) => d.recordKeystroke(t));

test('with no history the wait is the base', () => {
  const d = new AdaptiveDebounce({ baseMs: 150 });
  assert.equal(d.delayMs(), 150);
  d.recordKeystroke(0);
  assert.equal(d.delayMs(), 150);
});

test('a fast engine and a user who paused: shorter than the base', () => {
  const d = new AdaptiveDebounce({ baseMs: 150 });
  for (let i = 0; i < 5; i++) d.recordLatency(80);
  keys(d, [0, 3000]); // one keystroke after a three-second pause
  assert.ok(d.delayMs() < 150, `${d.delayMs()}`);
  assert.equal(d.delayMs(), 38); // 150 × ½ (fast engine) × ½ (pause)
});

test('typing in a burst waits longer than the usual gap between keys', () => {
  const d = new AdaptiveDebounce({ baseMs: 100 });
  d.recordLatency(250);
  keys(d, [0, 180, 360, 540, 720]); // one key every 180 ms
  assert.equal(d.delayMs(), 270); // 1.5 × 180, more than the base
});

test('a slow engine waits longer, up to twice the base, and never past the bounds', () => {
  const slow = new AdaptiveDebounce({ baseMs: 150 });
  slow.recordLatency(400);
  assert.equal(slow.delayMs(), 240); // 150 × 400/250
  slow.recordLatency(5000);
  slow.recordLatency(5000);
  assert.equal(slow.delayMs(), 300); // factor capped at 2
  const bounded = new AdaptiveDebounce({ baseMs: 600, maxMs: 500, minMs: 50 });
  bounded.recordLatency(5000);
  assert.equal(bounded.delayMs(), 500);
  const floor = new AdaptiveDebounce({ baseMs: 40, minMs: 30 });
  floor.recordLatency(10);
  keys(floor, [0, 5000]);
  assert.equal(floor.delayMs(), 30);
});

test('only the last `window` latencies count', () => {
  const d = new AdaptiveDebounce({ baseMs: 100, window: 3 });
  for (const ms of [2000, 2000, 2000, 300, 300, 300]) d.recordLatency(ms);
  assert.equal(d.delayMs(), 120);
  d.recordLatency(Number.NaN); // ignored
  assert.equal(d.delayMs(), 120);
});

test('the setting falls back to the default instead of throwing', () => {
  assert.equal(debounceMsFrom(75), 75);
  assert.equal(debounceMsFrom(75.6), 76);
  assert.equal(debounceMsFrom(-5), 0);
  assert.equal(debounceMsFrom(1e9), 2000);
  assert.equal(debounceMsFrom('100'), DEFAULT_DEBOUNCE_MS);
  assert.equal(debounceMsFrom(undefined), DEFAULT_DEBOUNCE_MS);
  assert.equal(debounceMsFrom(Number.NaN), DEFAULT_DEBOUNCE_MS);
});

test('delay resolves after the time when nothing cancels it', async () => {
  const start = performance.now();
  await delay(15, new AbortController().signal);
  assert.ok(performance.now() - start >= 10);
  await delay(0);
});

test('delay rejects with CancelledError when the signal fires, long before the time', async () => {
  const ac = new AbortController();
  const start = performance.now();
  const wait = delay(10_000, ac.signal);
  setTimeout(() => ac.abort(new Error('typed on')), 5);
  await assert.rejects(
    wait,
    (e: unknown) => e instanceof CancelledError && e.name === 'CancelledError' && isCancelled(e),
  );
  assert.ok(performance.now() - start < 1000);
});

test('delay rejects at once for a signal that already fired', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(delay(10_000, ac.signal), CancelledError);
  assert.equal(isCancelled(new Error('other')), false);
});
