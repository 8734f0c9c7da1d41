import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { BenchEvent } from '../../src/bench/bench-protocol';
import { ipcReporter, progressLine, terminalReporter } from '../../src/cli/bench-reporter';

const progress: BenchEvent = {
  type: 'progress',
  phase: 'completion',
  done: 3,
  total: 10,
  elapsedMs: 5_000,
  etaMs: 65_000,
  label: 'task 3',
};

test('over IPC every event is a message, and flush waits until they have left', async () => {
  const sent: BenchEvent[] = [];
  const callbacks: (() => void)[] = [];
  const reporter = ipcReporter((m, done) => {
    sent.push(m);
    callbacks.push(done);
  }, new EventEmitter());
  reporter.emit({ type: 'log', line: 'planned: 2 tasks' });
  reporter.emit(progress);
  assert.deepEqual(
    sent.map((m) => m.type),
    ['log', 'progress'],
  );
  let flushed = false;
  const flushing = reporter.flush().then(() => {
    flushed = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(flushed, false);
  for (const c of callbacks) c();
  await flushing;
  assert.equal(flushed, true);
});

test("a parent's cancel message or its going away cancels once; other messages do not", () => {
  const channel = new EventEmitter();
  const sent: BenchEvent[] = [];
  const reporter = ipcReporter((m, done) => {
    sent.push(m);
    done();
  }, channel);
  let cancels = 0;
  const off = reporter.onInterrupt(() => cancels++);
  channel.emit('message', { type: 'progress' });
  channel.emit('message', 'cancel');
  assert.equal(cancels, 0);
  channel.emit('message', { type: 'cancel' });
  channel.emit('disconnect');
  assert.equal(cancels, 1);
  assert.match((sent.at(-1) as { line: string }).line, /^cancelled: finishing the current cell/);
  off();
  assert.equal(channel.listenerCount('message') + channel.listenerCount('disconnect'), 0);
});

test('on a terminal the progress line is redrawn in place and cleared before a log line', async () => {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  const reporter = terminalReporter(stream);
  reporter.emit(progress);
  reporter.emit({ ...progress, done: 4 });
  reporter.emit({ type: 'log', line: 'estimated time: 2 min 00 s' });
  await reporter.flush();
  assert.equal(
    text,
    '\r\x1b[K[completion] 3/10 5 s ETA 1 min 05 s  task 3\r\x1b[K[completion] 4/10 5 s ETA 1 min 05 s  task 3\r\x1b[Kestimated time: 2 min 00 s\n',
  );
  assert.equal(progressLine({ ...progress, phase: 'prepare' }), '[prepare] 3/10 5 s  task 3');
});
