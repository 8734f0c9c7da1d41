// Completion cells: holes cut from the repository, a prompt per (task, strategy, budget) built with the
// hole's file shown holed, and one greedy completion per cell, scored against the hidden middle.

import { PromptBuilder } from '../../completion/prompt-builder';
import type { ContextStrategy } from '../../context/proposals';
import { Generator } from '../../model/generate';
import type { RopeOptions } from '../../model/rope';
import { scoreCompletion } from '../metrics';
import type { CompletionRecord } from '../results';
import type { BenchCell } from '../scheduler';
import { buildTasks, type CompletionTask } from '../task-builder';
import { estimateMs } from '../cost-model';
import type { CellContext } from './cell-context';

export interface CompletionPrompt {
  segments: number[][];
  tokens: number;
}

/** Prompts by `${task.id}|${strategy}|${budget}`. */
export type CompletionPrompts = Map<string, CompletionPrompt>;

export function completionKey(taskId: string, strategy: string, budget: number, rope: string): string {
  return `completion|${taskId}|${strategy}|${budget}|${rope}`;
}

const promptKey = (taskId: string, strategy: string, budget: number) => `${taskId}|${strategy}|${budget}`;

/** The plan's holes, cut from the repository's indexed files. */
export async function completionTasks(cc: CellContext): Promise<CompletionTask[]> {
  const { plan } = cc;
  return plan.samples > 0 ? buildTasks(new Map(cc.files), cc.bench.loader, { samples: plan.samples, seed: plan.seed, levels: plan.levels }) : [];
}

/**
 * Prompts for the tasks that have a cell still to run. The hole's file is shown with its hole (to the
 * index as well), so the answer cannot come back through a proposal or a window of that file.
 */
export async function buildCompletionPrompts(cc: CellContext, tasks: CompletionTask[], onPrepared?: (done: number, total: number, path: string) => void): Promise<CompletionPrompts> {
  const { plan, bench } = cc;
  const { index, texts } = bench;
  const builder = new PromptBuilder(index, bench.tok, texts.get);
  const prompts: CompletionPrompts = new Map();
  const needsPrompt = tasks.filter((t) => plan.budgets.some((b) => plan.strategies.some((s) => plan.ropes.some((r) => !cc.existing.has(completionKey(t.id, s, b, r))))));
  for (const [i, task] of needsPrompt.entries()) {
    if (cc.signal?.aborted) break;
    const holed = task.prefix + task.suffix;
    const original = cc.files.get(task.path) as string;
    texts.setOpen(task.path, holed);
    await index.update(task.path, holed);
    try {
      for (const strategy of plan.strategies) {
        for (const budget of plan.budgets) {
          const { packed } = builder.build({ path: task.path, text: holed, offset: task.prefix.length, budget, strategy });
          prompts.set(promptKey(task.id, strategy, budget), { segments: packed.segments, tokens: packed.tokens });
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
  generator: Generator;
  stopTokens: number[];
  signal?: AbortSignal;
}

export interface GeneratedCompletion {
  /** The text an editor would insert at the hole. */
  prediction: string;
  promptTokens: number;
  reusedTokens: number;
  latencyMs: number;
}

/** Keeps the longest line of a single-line hole: what an editor would show for it. */
function postProcess(task: CompletionTask, text: string): string {
  return task.level === 'line' ? (text.split('\n')[0] ?? '') : text;
}

/**
 * The generation step of a completion cell: greedy generation at the hole, then what an editor would
 * show of it; undefined when cancelled. The one place to swap for the extension's own completion path.
 */
export async function generateCompletion(
  gen: CompletionGeneration, task: CompletionTask, prompt: CompletionPrompt,
  settings: { rope: string; ropeOptions: RopeOptions; maxTokens: number; session: string },
): Promise<GeneratedCompletion | undefined> {
  const r = await gen.generator.generate(prompt.segments, { method: settings.rope, options: settings.ropeOptions }, {
    maxTokens: settings.maxTokens, stopTokens: gen.stopTokens, session: settings.session, signal: gen.signal,
  });
  if (r.stopReason === 'cancelled') return undefined;
  return { prediction: postProcess(task, r.text), promptTokens: r.promptTokens, reusedTokens: r.reusedTokens, latencyMs: r.prefillMs + r.decodeMs };
}

/**
 * Completion cells: budget, then RoPE plan, then strategy, then tasks by file: consecutive cells share
 * the plan and, often, chunks (the same imports and definitions), in one session. A cell still to run
 * whose prompt was not built (preparation was cancelled) is left out of the plan.
 */
export function completionCells(cc: CellContext, tasks: CompletionTask[], prompts: CompletionPrompts): BenchCell[] {
  const { plan, bench } = cc;
  const tok = bench.tok;
  const gen: CompletionGeneration = {
    generator: new Generator(bench.model, tok),
    stopTokens: [tok.special['<|file_sep|>'], tok.special['<|fim_prefix|>'], tok.special['<|fim_suffix|>'], tok.special['<|fim_middle|>']],
    signal: cc.signal,
  };
  const sorted = [...tasks].sort((a, b) => a.path.localeCompare(b.path) || a.start - b.start);
  const refTokens = new Map(tasks.map((t) => [t.id, tok.encode(t.middle).length]));
  // The cap on generated tokens follows the hidden middle's size (2× + 16, at most maxTokens): a
  // bound, as benchmarks set per task, not a hint the model sees.
  const capFor = (t: CompletionTask) => Math.min(plan.maxTokens, 2 * (refTokens.get(t.id) ?? 0) + 16);
  const cells: BenchCell[] = [];
  for (const budget of plan.budgets) {
    const factor = cc.rope.factor(budget);
    for (const rope of plan.ropes) {
      const same = cc.rope.canonical(rope, budget);
      for (const strategy of plan.strategies) {
        const session = `bench:${strategy}:${budget}:${rope}`;
        for (const task of sorted) {
          const key = completionKey(task.id, strategy, budget, rope);
          const prompt = prompts.get(promptKey(task.id, strategy, budget));
          const label = `${strategy} ${rope} ${budget} ${task.level} ${task.path}`;
          if (!cc.existing.has(key) && !prompt) continue;
          if (same !== rope) {
            cells.push({ key, kind: 'completion', label, aliasOf: completionKey(task.id, strategy, budget, same), rope, factor });
            continue;
          }
          const settings = { rope, ropeOptions: cc.rope.options(rope, factor, budget), maxTokens: capFor(task), session };
          cells.push({ key, kind: 'completion', label, estimateMs: prompt ? estimateMs(cc.cost, prompt.tokens, capFor(task) / 2) : 0, run: async () => {
            const done = prompt && (await generateCompletion(gen, task, prompt, settings));
            if (!done) return undefined;
            return completionRecord(cc, task, { key, strategy, rope, factor, budget }, done);
          } });
        }
      }
    }
  }
  return cells;
}

async function completionRecord(
  cc: CellContext, task: CompletionTask,
  cell: { key: string; strategy: ContextStrategy; rope: string; factor: number; budget: number },
  done: GeneratedCompletion,
): Promise<CompletionRecord> {
  const { key, strategy, rope, factor, budget } = cell;
  const { prediction } = done;
  const execution = cc.bench.execution;
  const passAt1 = execution ? ((await execution.passes(task.path, task.prefix + prediction + task.suffix)).passed ? 1 : 0) : null;
  return {
    kind: 'completion', key, taskId: task.id, level: task.level, path: task.path, strategy, rope, factor, budget,
    promptTokens: done.promptTokens, reusedTokens: done.reusedTokens, prediction, ...scoreCompletion(prediction, task.middle),
    passAt1, latencyMs: done.latencyMs,
  };
}
