// Benchmark results: one JSON line per finished cell (so an interrupted run resumes), the summary
// rows built from them, and their CSV and Markdown exports.

import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ContextStrategy } from '../context/proposals';
import type { HoleLevel } from './task-builder';

export interface CompletionRecord {
  kind: 'completion';
  key: string;
  taskId: string;
  level: HoleLevel;
  path: string;
  strategy: ContextStrategy;
  rope: string;
  factor: number;
  budget: number;
  promptTokens: number;
  /** Prompt tokens the engine's cache served (a server's prefix cache, as it reports it). */
  reusedTokens: number;
  /** The server did not say how much of the prompt its cache served: reusedTokens is 0 for want of a figure. */
  cacheUnknown?: boolean;
  prediction: string;
  exactMatch: number;
  editSimilarity: number;
  identifierMatch: number;
  /** Execution-based pass@1: null where no test command was run. */
  passAt1: number | null;
  latencyMs: number;
  /** The plan equals this method's at this factor: its result was taken, not recomputed. */
  sameAs?: string;
}

export interface NeedleRecord {
  kind: 'needle';
  key: string;
  rope: string;
  factor: number;
  length: number;
  depth: number;
  trial: number;
  value: number;
  /** What greedy decoding writes while fed the value (the argmax at each of its tokens). */
  prediction: string;
  /** 1 when greedy decoding writes the value. */
  correct: number;
  /** Mean negative log-likelihood (nats) of the value's tokens, and exp(−that): per-token probability. */
  valueNll: number;
  valueProbability: number;
  latencyMs: number;
  sameAs?: string;
}

export interface PerplexityRecord {
  kind: 'perplexity';
  key: string;
  rope: string;
  factor: number;
  length: number;
  /** Mean negative log-likelihood (nats) of the scored tokens, over the windows. */
  nll: number;
  perplexity: number;
  windows: number;
  scoredTokens: number;
  latencyMs: number;
  sameAs?: string;
}

export type BenchRecord = CompletionRecord | NeedleRecord | PerplexityRecord;

/** Records already in a results file, by key; a torn last line (a killed run) is ignored. */
export function readRecords(path: string): Map<string, BenchRecord> {
  const out = new Map<string, BenchRecord>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as BenchRecord;
      if (r && typeof r.key === 'string') out.set(r.key, r);
    } catch {
      // half a line: the cell is run again
    }
  }
  return out;
}

export function appendRecord(path: string, record: BenchRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, JSON.stringify(record) + '\n');
}

export interface SummaryRow {
  strategy: ContextStrategy;
  rope: string;
  budget: number;
  level: HoleLevel | 'all';
  n: number;
  exactMatch: number;
  editSimilarity: number;
  identifierMatch: number;
  passAt1: number | null;
  meanLatencyMs: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * One row per (strategy, rope, budget, level), and one with level "all" per (strategy, rope, budget);
 * rows come in the order of `order` (the run's lists) so that tables read the same way every time.
 */
export function summarize(
  records: CompletionRecord[],
  order: { strategies: string[]; ropes: string[]; budgets: number[]; levels: string[] },
): SummaryRow[] {
  const groups = new Map<string, CompletionRecord[]>();
  for (const r of records) {
    for (const level of [r.level, 'all']) {
      const k = JSON.stringify([r.strategy, r.rope, r.budget, level]);
      const g = groups.get(k) ?? [];
      g.push(r);
      groups.set(k, g);
    }
  }
  const rank = (list: (string | number)[], x: string | number) =>
    list.indexOf(x) === -1 ? list.length : list.indexOf(x);
  const rows: SummaryRow[] = [];
  for (const [k, g] of groups) {
    const [strategy, rope, budget, level] = JSON.parse(k) as [
      ContextStrategy,
      string,
      number,
      HoleLevel | 'all',
    ];
    const passes = g.map((r) => r.passAt1).filter((p): p is number => p !== null);
    rows.push({
      strategy,
      rope,
      budget,
      level,
      n: g.length,
      exactMatch: mean(g.map((r) => r.exactMatch)),
      editSimilarity: mean(g.map((r) => r.editSimilarity)),
      identifierMatch: mean(g.map((r) => r.identifierMatch)),
      passAt1: passes.length ? mean(passes) : null,
      meanLatencyMs: mean(g.map((r) => r.latencyMs)),
    });
  }
  const levels = [...order.levels, 'all'];
  return rows.sort(
    (a, b) =>
      rank(order.strategies, a.strategy) - rank(order.strategies, b.strategy) ||
      rank(order.ropes, a.rope) - rank(order.ropes, b.rope) ||
      rank(order.budgets, a.budget) - rank(order.budgets, b.budget) ||
      rank(levels, a.level) - rank(levels, b.level),
  );
}

export interface NeedleRow {
  rope: string;
  length: number;
  depth: number;
  n: number;
  accuracy: number;
  /** Geometric-mean probability per value token. */
  valueProbability: number;
}

export function summarizeNeedles(records: NeedleRecord[]): NeedleRow[] {
  const groups = new Map<string, NeedleRecord[]>();
  for (const r of records) {
    const k = JSON.stringify([r.rope, r.length, r.depth]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups]
    .map(([k, g]) => {
      const [rope, length, depth] = JSON.parse(k) as [string, number, number];
      return {
        rope,
        length,
        depth,
        n: g.length,
        accuracy: mean(g.map((r) => r.correct)),
        valueProbability: Math.exp(-mean(g.map((r) => r.valueNll))),
      };
    })
    .sort((a, b) => a.rope.localeCompare(b.rope) || a.length - b.length || a.depth - b.depth);
}

export interface PerplexityRow {
  rope: string;
  length: number;
  perplexity: number;
  nll: number;
}

export function summarizePerplexity(records: PerplexityRecord[]): PerplexityRow[] {
  return records
    .map((r) => ({ rope: r.rope, length: r.length, perplexity: r.perplexity, nll: r.nll }))
    .sort((a, b) => a.rope.localeCompare(b.rope) || a.length - b.length);
}

/** What a table cell can hold: a row with a nested object would print '[object Object]'. */
type Cell = string | number | boolean | null | undefined;
/** A row of cells; a mapped type rather than Record<string, Cell> so interfaces qualify. */
type Row<R> = { [K in keyof R]: Cell };

function keysOf<R extends Row<R>>(row: R): (keyof R & string)[] {
  return Object.keys(row) as (keyof R & string)[];
}

function csvCell(v: Cell): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header from the first row's keys (null as an empty cell). */
export function toCsv<R extends Row<R>>(rows: R[]): string {
  if (rows.length === 0) return '';
  const keys = keysOf(rows[0] as R);
  const lines = [keys.join(','), ...rows.map((r) => keys.map((k) => csvCell(r[k])).join(','))];
  return lines.join('\r\n') + '\r\n';
}

function formatCell(v: Cell): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number')
    return Number.isInteger(v)
      ? String(v)
      : Math.abs(v) < 0.001
        ? v.toExponential(2)
        : v.toFixed(3);
  return String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A GitHub-flavoured Markdown table (numbers to 3 decimals, null as —). */
export function toMarkdown<R extends Row<R>>(rows: R[]): string {
  if (rows.length === 0) return '_no rows_\n';
  const first = rows[0] as R;
  const keys = keysOf(first);
  const right = keys.map((k) => typeof first[k] === 'number');
  return (
    [
      `| ${keys.join(' | ')} |`,
      `|${right.map((r) => (r ? '---:' : '---')).join('|')}|`,
      ...rows.map((r) => `| ${keys.map((k) => formatCell(r[k])).join(' | ')} |`),
    ].join('\n') + '\n'
  );
}
