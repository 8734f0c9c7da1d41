// The benchmark's one cell scheduler: takes the cells of every kind, skips those already in the results
// file, lets aliases take their base's result, estimates, and runs the rest in order with progress and
// cancellation between cells.

import type { BenchRecord } from './results';

export type CellKind = BenchRecord['kind'];

interface CellCommon {
  /** Unique over the plan; the record written for the cell carries it. */
  key: string;
  kind: CellKind;
  /** What the progress line shows while the cell runs. */
  label: string;
}

/** A cell that computes its record (undefined: cancelled, or nothing to score). */
export interface RunCell extends CellCommon {
  aliasOf?: undefined;
  estimateMs: number;
  run: () => Promise<BenchRecord | undefined>;
}

/**
 * A cell whose RoPE plan equals an earlier method's at this length: it takes the record of cell
 * `aliasOf` with its own key, rope and factor, and `sameAs` naming the base's rope.
 */
export interface AliasCell extends CellCommon {
  aliasOf: string;
  rope: string;
  factor: number;
}

export type BenchCell = RunCell | AliasCell;

export interface CellProgress {
  kind: CellKind;
  done: number;
  total: number;
  elapsedMs: number;
  /** Remaining time, from the estimates scaled by how fast the run has gone so far. */
  etaMs: number;
  label: string;
}

export interface ScheduleOutcome {
  /** Every record of the plan's cells: found in the results file or made by this run. */
  records: BenchRecord[];
  cancelled: boolean;
  ranCells: number;
  skippedCells: number;
  wallMs: number;
}

export interface Schedule {
  /** Cells to run, in run order. */
  pending: readonly BenchCell[];
  /** Cells of the plan already in the results file. */
  done: number;
  estimateMs: number;
  counts: Record<CellKind, number>;
  run(options?: {
    signal?: AbortSignal;
    onProgress?: (p: CellProgress) => void;
  }): Promise<ScheduleOutcome>;
}

/** Keeps the given order, except that an alias waits until its base (when that is pending) has run. */
function orderCells(cells: readonly BenchCell[]): BenchCell[] {
  const keys = new Set(cells.map((c) => c.key));
  const placed = new Set<string>();
  const waiting = new Map<string, AliasCell[]>();
  const out: BenchCell[] = [];
  const place = (cell: BenchCell) => {
    out.push(cell);
    placed.add(cell.key);
    for (const next of waiting.get(cell.key) ?? []) place(next);
    waiting.delete(cell.key);
  };
  for (const cell of cells) {
    if (cell.aliasOf !== undefined && keys.has(cell.aliasOf) && !placed.has(cell.aliasOf)) {
      waiting.set(cell.aliasOf, [...(waiting.get(cell.aliasOf) ?? []), cell]);
    } else place(cell);
  }
  // Aliases of bases that never come (a cycle or a missing key) run last and find no record.
  for (const rest of waiting.values()) out.push(...rest);
  return out;
}

async function runCell(
  cell: BenchCell,
  results: ReadonlyMap<string, BenchRecord>,
): Promise<BenchRecord | undefined> {
  if (cell.aliasOf === undefined) return cell.run();
  const base = results.get(cell.aliasOf);
  return base
    ? { ...base, key: cell.key, rope: cell.rope, factor: cell.factor, sameAs: base.rope }
    : undefined;
}

/**
 * Plans the run of `cells`: those whose key is in `existing` are skipped; each record made is handed to
 * `save` (the results file) as soon as its cell ends, so an interrupted run resumes.
 */
export function scheduleCells(
  cells: readonly BenchCell[],
  existing: ReadonlyMap<string, BenchRecord>,
  save: (record: BenchRecord) => void,
): Schedule {
  const planKeys = new Set(cells.map((c) => c.key));
  const pending = orderCells(cells.filter((c) => !existing.has(c.key)));
  const estimateOf = (c: BenchCell) => (c.aliasOf === undefined ? c.estimateMs : 0);
  const estimateTotal = pending.reduce((a, c) => a + estimateOf(c), 0);
  const counts: Record<CellKind, number> = { completion: 0, needle: 0, perplexity: 0 };
  for (const c of pending) counts[c.kind]++;
  const results = new Map<string, BenchRecord>(existing);

  return {
    pending,
    done: planKeys.size - pending.length,
    estimateMs: estimateTotal,
    counts,
    async run(options = {}) {
      const t0 = performance.now();
      let estimatedDone = 0;
      let ran = 0;
      let skipped = 0;
      const finish = (cancelled: boolean): ScheduleOutcome => ({
        records: [...results.values()].filter((r) => planKeys.has(r.key)),
        cancelled,
        ranCells: ran,
        skippedCells: skipped,
        wallMs: performance.now() - t0,
      });
      for (const [i, cell] of pending.entries()) {
        if (options.signal?.aborted) return finish(true);
        const record = await runCell(cell, results);
        if (record) {
          save(record);
          results.set(record.key, record);
          ran++;
        } else skipped++;
        if (options.signal?.aborted) return finish(true);
        estimatedDone += estimateOf(cell);
        const elapsed = performance.now() - t0;
        const speed = estimatedDone > 0 ? elapsed / estimatedDone : 1;
        options.onProgress?.({
          kind: cell.kind,
          done: i + 1,
          total: pending.length,
          elapsedMs: elapsed,
          etaMs: (estimateTotal - estimatedDone) * speed,
          label: cell.label,
        });
      }
      return finish(false);
    },
  };
}
