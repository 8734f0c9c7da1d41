// Messages between the benchmark child (`ropewalk bench` forked with an IPC channel) and its parent.

import type { BenchPlan, BenchProgress } from './runner';

/** From the benchmark to its parent, in this order: plan, log lines, estimate, progress…, then done or error. */
export type BenchEvent =
  /** What will run, before the model loads. */
  | { type: 'plan'; plan: BenchPlan; out: string }
  /** After the tasks and prompts are built and the cost model is fitted; nothing has run yet. */
  | {
      type: 'estimate';
      tasks: number;
      pending: number;
      done: number;
      counts: { completion: number; needle: number; perplexity: number };
      estimateMs: number;
      setupMs: number;
    }
  | ({ type: 'progress' } & BenchProgress)
  /** A line meant for a person (what a terminal run prints on stderr). */
  | { type: 'log'; line: string }
  /** `report` is report.json; `autoFile` is where the per-budget choices were saved (not after a cancel). */
  | {
      type: 'done';
      report: string;
      autoFile?: string;
      cancelled: boolean;
      ranCells: number;
      wallMs: number;
    }
  | { type: 'error'; name: string; message: string };

/** From the parent: finish the current cell, write what there is, exit (as SIGINT does in a terminal). */
export type BenchControl = { type: 'cancel' };

const EVENT_TYPES: ReadonlySet<string> = new Set<BenchEvent['type']>([
  'plan',
  'estimate',
  'progress',
  'log',
  'done',
  'error',
]);

/** IPC delivers whatever the other side sent: only objects of a known type are treated as events. */
export function isBenchEvent(message: unknown): message is BenchEvent {
  return (
    typeof message === 'object' &&
    message !== null &&
    EVENT_TYPES.has((message as { type?: unknown }).type as string)
  );
}

export function isBenchControl(message: unknown): message is BenchControl {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'cancel'
  );
}

/** `12 min 05 s`, `40 s`: durations as both ends of the protocol show them. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}
