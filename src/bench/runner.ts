// The repository benchmark: tasks × context budget × RoPE method × context strategy, greedy generation
// and scoring, plus the length probes (needle, perplexity). Each kind builds its cells (src/bench/cells/);
// one scheduler skips those already in the JSONL results file (so a run resumes), lets methods with an
// equal RoPE plan share results, and runs the rest; cells that share context and a RoPE plan run one
// after another in one generator session, so the KV cache carries over. A remote backend runs the
// completion cells alone, through the server, with the server's own RoPE (prepareRemoteBench).

import { completionStopTokens, type CompletionEngine } from '../completion/complete-once';
import { localEngine } from '../completion/local-engine';
import { Generator } from '../model/generate';
import { type PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import type { FileTexts } from '../context/file-texts';
import type { ContextStrategy } from '../context/proposals';
import type { RepoIndex } from '../context/repo-index';
import type { SyntaxLoader } from '../context/syntax';
import type { OnnxModel } from '../model/onnx-backend';
import {
  extensionFactor,
  planRope,
  ropeGeometry,
  type RopeMethod,
  type RopeOptions,
} from '../model/rope';
import type { CellContext, RopePlanning } from './cells/cell-context';
import {
  buildCompletionPrompts,
  completionCells,
  completionTasks,
  type CompletionBackend,
  type CompletionCellContext,
  type CompletionRopes,
} from './cells/completion';
import { needleCells } from './cells/needle';
import { perplexityCells } from './cells/perplexity';
import { calibrate, type CostModel } from './cost-model';
import type { ExecutionSandbox } from './execution';
import { appendRecord, readRecords, type BenchRecord } from './results';
import { scheduleCells, type BenchCell, type CellKind } from './scheduler';
import type { CompletionTask, HoleLevel } from './task-builder';

export { calibrate, estimateMs, type CostModel } from './cost-model';
export { completionKey } from './cells/completion';

export interface BenchPlan {
  budgets: number[];
  ropes: RopeMethod[];
  strategies: ContextStrategy[];
  levels: HoleLevel[];
  /** Completion tasks in all (levels take turns). */
  samples: number;
  seed: number;
  maxTokens: number;
  needle: { lengths: number[]; depths: number[]; trials: number } | null;
  perplexity: { lengths: number[]; windows: number; scoreTokens: number } | null;
}

export interface BenchContext {
  model: OnnxModel;
  tok: PromptTokenizer;
  index: RepoIndex;
  /** The repository's texts; the hole's file is shown with its hole while a task's prompts are built. */
  texts: FileTexts;
  loader: SyntaxLoader;
  /** Per-method settings (LongRoPE's factors). */
  ropeSettings?: Partial<Record<RopeMethod, RopeOptions>>;
  /** Where completions are run against the repository's tests (trusted workspaces only); none: passAt1 is null. */
  execution?: ExecutionSandbox;
}

export interface BenchProgress {
  phase: 'prepare' | CellKind;
  done: number;
  total: number;
  elapsedMs: number;
  /** Remaining time, from the cost model scaled by how fast the run has gone so far. */
  etaMs: number;
  label: string;
}

export interface BenchOutcome {
  records: BenchRecord[];
  cancelled: boolean;
  ranCells: number;
  skippedCells: number;
  wallMs: number;
}

/**
 * Methods whose plans give the same angles and scales (at factor 1 most methods are `none`) get one
 * key: the later ones take the first one's results instead of recomputing them.
 */
export function planSignature(
  method: string,
  geometry: ReturnType<typeof ropeGeometry>,
  options: RopeOptions,
): string {
  const plan = planRope(method, geometry, options);
  const L = geometry.trainLength;
  const scales: number[] = [];
  for (const m of [0, L / 2, L - 1, 2 * L, 8 * L, 32 * L])
    for (let layer = 0; layer < geometry.nLayers; layer++) scales.push(plan.logitScale(m, layer));
  return (
    [...plan.inverseFrequencies].map((x) => x.toPrecision(10)).join(',') +
    '|' +
    scales.map((x) => x.toPrecision(10)).join(',')
  );
}

export interface PreparedBench {
  tasks: CompletionTask[];
  /** Cells to run (not yet in the results file), in run order. */
  pending: number;
  done: number;
  /** Estimated time of the pending cells. */
  estimateMs: number;
  counts: { completion: number; needle: number; perplexity: number };
  run(options?: {
    signal?: AbortSignal;
    onProgress?: (p: BenchProgress) => void;
  }): Promise<BenchOutcome>;
}

/** Factors, options and shared plans of the RoPE methods of `plan` for this model. */
function ropePlanning(ctx: BenchContext, plan: BenchPlan): RopePlanning {
  const card = ctx.model.card;
  const geometry = ropeGeometry(card.config);
  const factor = (length: number) => extensionFactor(length, card.trainLength);
  const options = (rope: RopeMethod, f: number, length: number): RopeOptions => ({
    ...(ctx.ropeSettings?.[rope] ?? {}),
    factor: f,
    length,
  });
  const canonical = (rope: RopeMethod, length: number): RopeMethod => {
    const f = factor(length);
    const sig = planSignature(rope, geometry, options(rope, f, length));
    return (
      plan.ropes.find((r) => planSignature(r, geometry, options(r, f, length)) === sig) ?? rope
    );
  };
  return { geometry, factor, options, canonical };
}

/** The completion cells' RoPE axis: the plan's methods, with their shared plans and options. */
function localRopes(plan: BenchPlan, rope: RopePlanning): CompletionRopes {
  return {
    names: plan.ropes,
    factor: (budget) => rope.factor(budget),
    canonical: (name, budget) => rope.canonical(name as RopeMethod, budget),
    choice: (name, budget) => ({
      method: name as RopeMethod,
      options: rope.options(name as RopeMethod, rope.factor(budget), budget),
      source: 'setting',
    }),
  };
}

/** The rope name a remote backend's cells and rows carry: the server applies its own RoPE. */
export const SERVER_ROPE = 'server';

/** One method, the server's: Ropewalk scales nothing (its `none`), whatever the server does. */
const serverRopes: CompletionRopes = {
  names: [SERVER_ROPE],
  factor: () => 1,
  canonical: (name) => name,
  choice: () => ({ method: 'none', options: {}, source: 'server' }),
};

/** The repository's indexed files that have a text, by path in path order. */
function indexedTexts(ctx: Pick<BenchContext, 'index' | 'texts'>): Map<string, string> {
  const files = new Map<string, string>();
  for (const path of [...ctx.index.files.keys()].sort()) {
    const t = ctx.texts.get(path);
    if (t !== undefined) files.set(path, t);
  }
  return files;
}

/**
 * Builds the tasks and every prompt, orders the cells, estimates their time. Nothing runs through the
 * model until `run` (except the short calibration), so the caller can show the plan first.
 */
export async function prepareBench(
  ctx: BenchContext,
  plan: BenchPlan,
  resultsPath: string,
  options: {
    cost?: CostModel;
    onProgress?: (p: BenchProgress) => void;
    signal?: AbortSignal;
    onCost?: (cost: CostModel) => void;
  } = {},
): Promise<PreparedBench> {
  const started = performance.now();
  const cost = options.cost ?? (await calibrate(ctx.model));
  options.onCost?.(cost);
  const cc: CellContext = {
    bench: ctx,
    plan,
    cost,
    existing: readRecords(resultsPath),
    files: indexedTexts(ctx),
    rope: ropePlanning(ctx, plan),
    signal: options.signal,
  };
  const backend: CompletionBackend = {
    engine: localEngine(new Generator(ctx.model, ctx.tok), ctx.model.provider),
    stopTokens: completionStopTokens(ctx.tok),
  };
  const completion = { ...cc, ropes: localRopes(plan, cc.rope) };
  const { tasks, cells } = await completionPart(completion, backend, started, options.onProgress);
  return scheduled(
    tasks,
    [...cells, ...needleCells(cc), ...perplexityCells(cc)],
    cc.existing,
    resultsPath,
  );
}

/** The tasks, their prompts (with progress) and their cells. */
async function completionPart(
  cc: CompletionCellContext,
  backend: CompletionBackend,
  started: number,
  onProgress?: (p: BenchProgress) => void,
): Promise<{ tasks: CompletionTask[]; cells: BenchCell[] }> {
  const tasks = await completionTasks(cc);
  const prompts = await buildCompletionPrompts(cc, tasks, (done, total, label) => {
    onProgress?.({
      phase: 'prepare',
      done,
      total,
      elapsedMs: performance.now() - started,
      etaMs: 0,
      label,
    });
  });
  return { tasks, cells: completionCells(cc, tasks, prompts, backend) };
}

function scheduled(
  tasks: CompletionTask[],
  cells: BenchCell[],
  existing: ReadonlyMap<string, BenchRecord>,
  resultsPath: string,
): PreparedBench {
  const schedule = scheduleCells(cells, existing, (record) => appendRecord(resultsPath, record));
  return {
    tasks,
    pending: schedule.pending.length,
    done: schedule.done,
    estimateMs: schedule.estimateMs,
    counts: schedule.counts,
    run: (runOptions = {}) =>
      schedule.run({
        signal: runOptions.signal,
        onProgress: ({ kind, ...p }) => runOptions.onProgress?.({ phase: kind, ...p }),
      }),
  };
}

/** A remote benchmark's context: the repository as for the local one, and the server's engine. */
export interface RemoteBenchContext extends Pick<
  BenchContext,
  'tok' | 'index' | 'texts' | 'loader' | 'execution'
> {
  engine: CompletionEngine;
  /** The family template's stop tokens (the server's own end of text ends an answer too). */
  stopTokens: number[];
}

/**
 * A guess at a shared server's cost, for the estimate only (nothing is timed before the run; the ETA
 * then follows how fast cells actually go): a GPU's prefill and decode speeds.
 */
export const SERVER_COST: CostModel = { a: 0.2, b: 0, decodeMs: 20 };

/**
 * The completion cells through a server: same tasks, prompts (unhealed: a server cannot be made to
 * begin with given text), scoring and scheduler as the local benchmark, one `server` method.
 */
export async function prepareRemoteBench(
  ctx: RemoteBenchContext,
  plan: BenchPlan,
  resultsPath: string,
  options: { onProgress?: (p: BenchProgress) => void; signal?: AbortSignal } = {},
): Promise<PreparedBench> {
  const started = performance.now();
  const cc: CompletionCellContext = {
    bench: ctx,
    plan,
    cost: SERVER_COST,
    existing: readRecords(resultsPath),
    files: indexedTexts(ctx),
    ropes: serverRopes,
    heal: false,
    signal: options.signal,
  };
  const backend = { engine: ctx.engine, stopTokens: ctx.stopTokens, wallLatency: true };
  const { tasks, cells } = await completionPart(cc, backend, started, options.onProgress);
  return scheduled(tasks, cells, cc.existing, resultsPath);
}
