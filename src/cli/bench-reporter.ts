// Where `ropewalk bench` tells its progress: a redrawn line on a terminal, typed messages over IPC.

import { formatDuration, isBenchControl, type BenchEvent } from '../bench/bench-protocol';
import type { BenchProgress } from '../bench/runner';

export interface BenchReporter {
  /** Every event; `log` lines are also what a terminal shows. */
  emit(event: BenchEvent): void;
  /** Calls `onCancel` at the first interrupt (SIGINT, or a `cancel` message); returns the unsubscribe. */
  onInterrupt(onCancel: () => void): () => void;
  /** Resolves when every message has left (exiting sooner can drop the last ones). */
  flush(): Promise<void>;
}

export function progressLine(p: BenchProgress): string {
  const eta = p.phase === 'prepare' ? '' : ` ETA ${formatDuration(p.etaMs)}`;
  return `[${p.phase}] ${p.done}/${p.total} ${formatDuration(p.elapsedMs)}${eta}  ${p.label.slice(0, 60)}`;
}

/** SIGINT: the first finishes the current cell and writes what there is; a second exits at once. */
function onSigint(onCancel: () => void, say: (line: string) => void): () => void {
  let interrupts = 0;
  const handler = () => {
    if (++interrupts > 1) process.exit(130);
    say('interrupted: finishing the current cell (results so far are kept; run again to resume)');
    onCancel();
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

/** A person at a terminal: log lines on stderr, one progress line redrawn in place. */
export function terminalReporter(stderr: NodeJS.WritableStream = process.stderr): BenchReporter {
  let drawn = false;
  const clear = () => {
    if (drawn) stderr.write('\r\x1b[K');
    drawn = false;
  };
  const say = (line: string) => {
    clear();
    stderr.write(line + '\n');
  };
  return {
    emit(event) {
      if (event.type === 'progress') {
        stderr.write(`\r\x1b[K${progressLine(event)}`);
        drawn = true;
      } else if (event.type === 'log') say(event.line);
      else clear();
    },
    onInterrupt: (onCancel) => onSigint(onCancel, say),
    flush: async () => clear(),
  };
}

/** A parent process (the extension): every event as a message; stderr keeps only what others write there. */
export function ipcReporter(
  send: (message: BenchEvent, done: () => void) => void,
  /** Emits the parent's 'message's and 'disconnect': the process itself, or a stand-in in tests. */
  channel: NodeJS.EventEmitter = process,
): BenchReporter {
  const pending = new Set<Promise<void>>();
  const post = (event: BenchEvent) => {
    const sent = new Promise<void>((resolve) => send(event, resolve));
    pending.add(sent);
    void sent.then(() => pending.delete(sent));
  };
  return {
    emit: post,
    onInterrupt(onCancel) {
      let cancelled = false;
      const once = () => {
        if (cancelled) return;
        cancelled = true;
        post({
          type: 'log',
          line: 'cancelled: finishing the current cell (results so far are kept; run again to resume)',
        });
        onCancel();
      };
      const onMessage = (m: unknown) => {
        if (isBenchControl(m)) once();
      };
      // A parent that went away cannot read the report: stop as a cancel would.
      channel.on('message', onMessage);
      channel.on('disconnect', once);
      const offSigint = onSigint(once, () => {});
      return () => {
        channel.off('message', onMessage);
        channel.off('disconnect', once);
        offSigint();
      };
    },
    flush: async () => {
      await Promise.all(pending);
    },
  };
}

/** IPC when a parent forked this process with a channel, else the terminal. */
export function benchReporter(): BenchReporter {
  const send = process.send?.bind(process);
  if (!send) return terminalReporter();
  // After the parent has gone there is no one to tell; sending then would throw.
  return ipcReporter((message, done) =>
    process.connected ? send(message, undefined, undefined, () => done()) : done(),
  );
}
