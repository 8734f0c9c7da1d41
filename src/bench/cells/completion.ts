// Completion cells: holes cut from the repository, a prompt per (task, strategy, budget) built with the
// hole's file shown holed, and one greedy completion per cell, scored against the hidden middle.

import {
  finishCompletion,
  prepareCompletion,
  type CompletionEngine,
  type CompletionSettings,
  type PreparedCompletion,
} from '../../completion/complete-once';
import { PromptBuilder } from '../../completion/prompt-builder';
import type { RopeChoice } from '../../completion/rope-choice';
import { languageForPath } from '../../context/languages';
import type { ContextStrategy } from '../../context/proposals';
import type { SyntaxLoader } from '../../context/syntax';
import { scoreCompletion } from '../metrics';
import type { BenchRecord, CompletionRecord } from '../results';
import type { BenchContext, BenchPlan } from '../runner';
import type { BenchCell } from '../scheduler';
import { buildTasks, type CompletionTask } from '../task-builder';
import { estimateMs, type CostModel } from '../cost-model';

/** A hole's prompt as the editor would build it at that cursor (healed, shaped): see completeOnce. */
export type CompletionPrompt = PreparedCompletion;

/** Prompts by `${task.id}|${strategy}|${budget}`. */
export type CompletionPrompts = Map<string, CompletionPrompt>;

export function completionKey(
  taskId: string,
  strategy: string,
  budget: number,
  rope: string,
): string {
  return `completion|${taskId}|${strategy}|${budget}|${rope}`;
}

const promptKey = (taskId: string, strategy: string, budget: number) =>
  `${taskId}|${strategy}|${budget}`;

/**
 * The RoPE axis of the completion cells: Ropewalk's methods for a local model, or the one `server`
 * entry for a remote backend (the server applies its own RoPE scaling; no method can be chosen).
 */
export interface CompletionRopes {
  /** Each method's name in cell keys and records. */
  names: readonly string[];
  /** The factor a method runs at for a budget (recorded; 1 for a server). */
  factor(budget: number): number;
  /** The first method whose plan at `budget` equals `name`'s: it runs, `name` takes its results. */
  canonical(name: string, budget: number): string;
  /** What a cell of `name` at `budget` generates with. */
  choice(name: string, budget: number): RopeChoice;
}

/** What completion cells are built from: the local benchmark's CellContext has all of it. */
export interface CompletionCellContext {
  bench: Pick<BenchContext, 'tok' | 'index' | 'texts' | 'loader' | 'execution'>;
  plan: Pick<BenchPlan, 'budgets' | 'strategies' | 'levels' | 'samples' | 'seed' | 'maxTokens'>;
  cost: CostModel;
  existing: ReadonlyMap<string, BenchRecord>;
  files: ReadonlyMap<string, string>;
  ropes: CompletionRopes;
  /** Token healing in the prompts (off for servers, which cannot be made to begin with given text). */
  heal?: boolean;
  signal?: AbortSignal;
}

/** The plan's holes, cut from the repository's indexed files. */
export async function completionTasks(
  cc: Pick<CompletionCellContext, 'bench' | 'plan' | 'files'>,
): Promise<CompletionTask[]> {
  const { plan } = cc;
  return plan.samples > 0
    ? buildTasks(new Map(cc.files), cc.bench.loader, {
        samples: plan.samples,
        seed: plan.seed,
        levels: plan.levels,
      })
    : [];
}

/**
 * Prompts for the tasks that have a cell still to run. The hole's file is shown with its hole (to the
 * index as well), so the answer cannot come back through a proposal or a window of that file.
 */
export async function buildCompletionPrompts(
  cc: CompletionCellContext,
  tasks: CompletionTask[],
  onPrepared?: (done: number, total: number, path: string) => void,
): Promise<CompletionPrompts> {
  const { plan, bench } = cc;
  const { index, texts } = bench;
  const builder = new PromptBuilder(index, bench.tok, texts.get);
  const prompts: CompletionPrompts = new Map();
  const needsPrompt = tasks.filter((t) =>
    plan.budgets.some((b) =>
      plan.strategies.some((s) =>
        cc.ropes.names.some((r) => !cc.existing.has(completionKey(t.id, s, b, r))),
      ),
    ),
  );
  for (const [i, task] of needsPrompt.entries()) {
    if (cc.signal?.aborted) break;
    const holed = task.prefix + task.suffix;
    const language = languageForPath(task.path);
    if (!language) continue; // tasks are cut only from files of known languages
    const original = cc.files.get(task.path) as string;
    texts.setOpen(task.path, holed);
    await index.update(task.path, holed);
    try {
      for (const strategy of plan.strategies) {
        for (const budget of plan.budgets) {
          const request = {
            path: task.path,
            text: holed,
            offset: task.prefix.length,
            language: language.id,
            session: cellSession(strategy, budget),
          };
          prompts.set(
            promptKey(task.id, strategy, budget),
            prepareCompletion(request, { budget, strategy, heal: cc.heal }, builder),
          );
        }
      }
    } finally {
      texts.close(task.path);
      await index.update(task.path, original);
    }
    onPrepared?.(i + 1, needsPrompt.length, task.path);
  }
  return prompts;
}

/** How a completion cell generates: shared by all of them, so the KV cache carries over between cells. */
export interface CompletionGeneration {
  engine: CompletionEngine;
  loader: SyntaxLoader;
  stopTokens: number[];
  /**
   * Latency as the client sees the request (a server: network and queueing included, which its own
   * timings leave out); else the engine's prefill and decode time.
   */
  wallLatency?: boolean;
  signal?: AbortSignal;
}

/** The engine the cells run on, the tokens that end an answer, and how latency is taken. */
export type CompletionBackend = Pick<CompletionGeneration, 'engine' | 'stopTokens' | 'wallLatency'>;

export interface GeneratedCompletion {
  /** The text the editor would insert at the hole ('' when it would show nothing). */
  prediction: string;
  promptTokens: number;
  reusedTokens: number;
  /** The engine could not say how much of the prompt its cache served (a server that does not report it). */
  cacheUnknown?: boolean;
  latencyMs: number;
}

/**
 * Cells of one strategy and budget share an engine session, whatever the method (a plan change
 * recomputes the cache anyway): consecutive cells reuse the chunks their prompts share.
 */
const cellSession = (strategy: string, budget: number) => `bench:${strategy}:${budget}`;

/**
 * The generation step of a completion cell: the editor's own path from a prepared prompt (generation,
 * healing undone, post-processing to the request's shape); undefined when cancelled.
 */
export async function generateCompletion(
  gen: CompletionGeneration,
  prompt: CompletionPrompt,
  settings: { budget: number; strategy: ContextStrategy; rope: RopeChoice; maxTokens: number },
): Promise<GeneratedCompletion | undefined> {
  const completion: CompletionSettings = {
    budget: settings.budget,
    strategy: settings.strategy,
    maxTokens: settings.maxTokens,
    stopTokens: gen.stopTokens,
    rope: settings.rope,
  };
  const t0 = performance.now();
  const r = await finishCompletion(
    prompt,
    completion,
    { engine: gen.engine, loader: gen.loader },
    gen.signal,
  );
  if (!r) return undefined;
  const g = r.generation;
  return {
    prediction: r.text ?? '',
    promptTokens: g.promptTokens,
    reusedTokens: g.reusedTokens,
    ...(g.cacheUnknown ? { cacheUnknown: true } : {}),
    latencyMs: gen.wallLatency ? performance.now() - t0 : g.prefillMs + g.decodeMs,
  };
}

/**
 * Completion cells: budget, then RoPE plan, then strategy, then tasks by file: consecutive cells share
 * the plan and, often, chunks (the same imports and definitions), in one session. A cell still to run
 * whose prompt was not built (preparation was cancelled) is left out of the plan.
 */
export function completionCells(
  cc: CompletionCellContext,
  tasks: CompletionTask[],
  prompts: CompletionPrompts,
  backend: CompletionBackend,
): BenchCell[] {
  const { plan, bench } = cc;
  const tok = bench.tok;
  const gen: CompletionGeneration = { ...backend, loader: bench.loader, signal: cc.signal };
  const sorted = [...tasks].sort((a, b) => a.path.localeCompare(b.path) || a.start - b.start);
  const refTokens = new Map(tasks.map((t) => [t.id, tok.encode(t.middle).length]));
  // The cap on generated tokens follows the hidden middle's size (2× + 16, at most maxTokens): a
  // bound, as benchmarks set per task, not a hint the model sees.
  const capFor = (t: CompletionTask) =>
    Math.min(plan.maxTokens, 2 * (refTokens.get(t.id) ?? 0) + 16);
  const cells: BenchCell[] = [];
  for (const budget of plan.budgets) {
    const factor = cc.ropes.factor(budget);
    for (const rope of cc.ropes.names) {
      const same = cc.ropes.canonical(rope, budget);
      for (const strategy of plan.strategies) {
        for (const task of sorted) {
          const key = completionKey(task.id, strategy, budget, rope);
          const prompt = prompts.get(promptKey(task.id, strategy, budget));
          const label = `${strategy} ${rope} ${budget} ${task.level} ${task.path}`;
          if (!cc.existing.has(key) && !prompt) continue;
          if (same !== rope) {
            cells.push({
              key,
              kind: 'completion',
              label,
              aliasOf: completionKey(task.id, strategy, budget, same),
              rope,
              factor,
            });
            continue;
          }
          const settings = {
            budget,
            strategy,
            rope: cc.ropes.choice(rope, budget),
            maxTokens: capFor(task),
          };
          cells.push({
            key,
            kind: 'completion',
            label,
            estimateMs: prompt
              ? estimateMs(cc.cost, prompt.built.packed.tokens, capFor(task) / 2)
              : 0,
            run: async () => {
              const done = prompt && (await generateCompletion(gen, prompt, settings));
              if (!done) return undefined;
              return completionRecord(cc, task, { key, strategy, rope, factor, budget }, done);
            },
          });
        }
      }
    }
  }
  return cells;
}

async function completionRecord(
  cc: CompletionCellContext,
  task: CompletionTask,
  cell: { key: string; strategy: ContextStrategy; rope: string; factor: number; budget: number },
  done: GeneratedCompletion,
): Promise<CompletionRecord> {
  const { key, strategy, rope, factor, budget } = cell;
  const { prediction } = done;
  const execution = cc.bench.execution;
  const passAt1 = execution
    ? (await execution.passes(task.path, task.prefix + prediction + task.suffix)).passed
      ? 1
      : 0
    : null;
  return {
    kind: 'completion',
    key,
    taskId: task.id,
    level: task.level,
    path: task.path,
    strategy,
    rope,
    factor,
    budget,
    promptTokens: done.promptTokens,
    reusedTokens: done.reusedTokens,
    ...(done.cacheUnknown ? { cacheUnknown: true } : {}),
    prediction,
    ...scoreCompletion(prediction, task.middle),
    passAt1,
    latencyMs: done.latencyMs,
  };
}
