// The repository benchmark: tasks × context budget × RoPE method × context strategy, greedy generation
// and scoring, plus the length probes (needle, perplexity). Cells are streamed to a JSONL file and
// skipped when already there, so a run resumes; cells that share context and a RoPE plan run one after
// another in one generator session, so the KV cache carries over.

import { PromptBuilder } from '../completion/prompt-builder';
import type { FileTexts } from '../context/file-texts';
import type { ContextStrategy } from '../context/proposals';
import type { RepoIndex } from '../context/repo-index';
import type { SyntaxLoader } from '../context/syntax';
import { forwardOnCache, Generator } from '../model/generate';
import type { OnnxModel } from '../model/onnx-backend';
import { planRope, ropeGeometry, type RopeOptions } from '../model/rope';
import type { TextTokenizer } from '../model/tokenizer';
import type { ExecutionSandbox } from './execution';
import { scoreCompletion } from './metrics';
import { buildNeedlePrompt, type NeedleLanguage } from './needle';
import { NeedleScorer } from './needle-scorer';
import { dependencyOrder, windowLoss, windowStarts } from './perplexity';
import { Random } from './random';
import { appendRecord, readRecords, type BenchRecord, type CompletionRecord, type NeedleRecord, type PerplexityRecord } from './results';
import { buildTasks, type CompletionTask, type HoleLevel } from './task-builder';

export interface BenchPlan {
  budgets: number[];
  ropes: string[];
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
  tok: TextTokenizer;
  index: RepoIndex;
  /** The repository's texts; the hole's file is shown with its hole while a task's prompts are built. */
  texts: FileTexts;
  loader: SyntaxLoader;
  /** Per-method settings (LongRoPE's factors). */
  ropeSettings?: Record<string, RopeOptions>;
  /** Where completions are run against the repository's tests (trusted workspaces only); none: passAt1 is null. */
  execution?: ExecutionSandbox;
}

export interface BenchProgress {
  phase: 'prepare' | 'completion' | 'needle' | 'perplexity';
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

/** What a run costs, in milliseconds, per prompt size: a·n + b·n² prefill plus per-token decoding. */
export interface CostModel {
  a: number;
  b: number;
  decodeMs: number;
}

interface Job {
  key: string;
  phase: BenchProgress['phase'];
  label: string;
  estimateMs: number;
  run: () => Promise<BenchRecord | undefined>;
}

/** The factor a method runs at for a prompt of `length` tokens: the extension beyond the training length. */
export function factorFor(length: number, trainLength: number): number {
  return Math.max(1, length / trainLength);
}

/**
 * Methods whose plans give the same angles and scales (at factor 1 most methods are `none`) get one
 * key: the later ones take the first one's results instead of recomputing them.
 */
export function planSignature(method: string, geometry: ReturnType<typeof ropeGeometry>, options: RopeOptions): string {
  const plan = planRope(method, geometry, options);
  const L = geometry.trainLength;
  const scales: number[] = [];
  for (const m of [0, L / 2, L - 1, 2 * L, 8 * L, 32 * L]) for (let layer = 0; layer < geometry.nLayers; layer++) scales.push(plan.logitScale(m, layer));
  return [...plan.inverseFrequencies].map((x) => x.toPrecision(10)).join(',') + '|' + scales.map((x) => x.toPrecision(10)).join(',');
}

export function completionKey(taskId: string, strategy: string, budget: number, rope: string): string {
  return `completion|${taskId}|${strategy}|${budget}|${rope}`;
}

/** Times two prefills to fit the cost model on this machine (about a second). */
export async function calibrate(model: OnnxModel): Promise<CostModel> {
  const plan = planRope('none', ropeGeometry(model.card.config));
  const time = async (n: number) => {
    const cache = model.newCache({ initialCapacity: n + 1 });
    const t0 = performance.now();
    for (let at = 0; at < n; at += 512) await forwardOnCache(model, cache, Array.from({ length: Math.min(512, n - at) }, (_, i) => 100 + ((at + i) % 500)), at, plan);
    const ms = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < 4; i++) await forwardOnCache(model, cache, [7], n + i, plan);
    return { ms, decode: (performance.now() - t1) / 4 };
  };
  await time(512); // warm-up: the first runs of a session are slower
  // The faster of two runs each: a busy machine's worst moments would inflate every estimate.
  const best = (a: { ms: number; decode: number }, b: { ms: number; decode: number }) => ({ ms: Math.min(a.ms, b.ms), decode: Math.min(a.decode, b.decode) });
  const small = best(await time(512), await time(512));
  const large = best(await time(2048), await time(2048));
  // Solve ms = a·n + b·n² through the two points.
  const b = Math.max(0, (large.ms / 2048 - small.ms / 512) / (2048 - 512));
  const a = Math.max(1e-4, small.ms / 512 - b * 512);
  return { a, b, decodeMs: Math.max(small.decode, large.decode) };
}

export function estimateMs(cost: CostModel, promptTokens: number, decodeTokens: number): number {
  return cost.a * promptTokens + cost.b * promptTokens * promptTokens + cost.decodeMs * decodeTokens;
}

/** Keeps the longest line of a single-line hole: what an editor would show for it. */
function postProcess(task: CompletionTask, text: string): string {
  return task.level === 'line' ? (text.split('\n')[0] ?? '') : text;
}

export interface PreparedBench {
  tasks: CompletionTask[];
  /** Cells to run (not yet in the results file), in run order. */
  pending: number;
  done: number;
  /** Estimated time of the pending cells. */
  estimateMs: number;
  counts: { completion: number; needle: number; perplexity: number };
  run(options?: { signal?: AbortSignal; onProgress?: (p: BenchProgress) => void }): Promise<BenchOutcome>;
}

/**
 * Builds the tasks and every prompt, orders the cells, estimates their time. Nothing runs through the
 * model until `run` (except the short calibration), so the caller can show the plan first.
 */
export async function prepareBench(ctx: BenchContext, plan: BenchPlan, resultsPath: string, options: {
  cost?: CostModel; onProgress?: (p: BenchProgress) => void; signal?: AbortSignal; onCost?: (cost: CostModel) => void;
} = {}): Promise<PreparedBench> {
  const started = performance.now();
  const { model, tok, index, texts } = ctx;
  const card = model.card;
  const geometry = ropeGeometry(card.config);
  const cost = options.cost ?? (await calibrate(model));
  options.onCost?.(cost);
  const existing = readRecords(resultsPath);
  const ropeOptions = (rope: string, factor: number, length: number): RopeOptions => ({ ...(ctx.ropeSettings?.[rope] ?? {}), factor, length });
  const canonical = (rope: string, length: number): string => {
    const factor = factorFor(length, card.trainLength);
    const sig = planSignature(rope, geometry, ropeOptions(rope, factor, length));
    return plan.ropes.find((r) => planSignature(r, geometry, ropeOptions(r, factor, length)) === sig) ?? rope;
  };

  // Tasks from the repository's indexed files.
  const files = new Map<string, string>();
  for (const path of [...index.files.keys()].sort()) {
    const t = texts.get(path);
    if (t !== undefined) files.set(path, t);
  }
  const tasks = plan.samples > 0 ? await buildTasks(files, ctx.loader, { samples: plan.samples, seed: plan.seed, levels: plan.levels }) : [];

  // Prompts per (task, strategy, budget): the hole's file is shown with its hole (to the index as
  // well), so the answer cannot come back through a proposal or a window of that file.
  const builder = new PromptBuilder(index, tok, texts.get);
  const prompts = new Map<string, { segments: number[][]; tokens: number }>();
  const needsPrompt = tasks.filter((t) => plan.budgets.some((b) => plan.strategies.some((s) => plan.ropes.some((r) => !existing.has(completionKey(t.id, s, b, r))))));
  for (const [i, task] of needsPrompt.entries()) {
    if (options.signal?.aborted) break;
    const holed = task.prefix + task.suffix;
    const original = files.get(task.path) as string;
    texts.setOpen(task.path, holed);
    await index.update(task.path, holed);
    try {
      for (const strategy of plan.strategies) {
        for (const budget of plan.budgets) {
          const { packed } = builder.build({ path: task.path, text: holed, offset: task.prefix.length, budget, strategy });
          prompts.set(`${task.id}|${strategy}|${budget}`, { segments: packed.segments, tokens: packed.tokens });
        }
      }
    } finally {
      texts.close(task.path);
      await index.update(task.path, original);
    }
    options.onProgress?.({ phase: 'prepare', done: i + 1, total: needsPrompt.length, elapsedMs: performance.now() - started, etaMs: 0, label: task.path });
  }

  const jobs: Job[] = [];
  /** Every cell of this plan, run now or found in the results file: the summary covers these only. */
  const planKeys = new Set<string>();
  const fimStops = [tok.special['<|file_sep|>'], tok.special['<|fim_prefix|>'], tok.special['<|fim_suffix|>'], tok.special['<|fim_middle|>']];
  const generator = new Generator(model, tok);
  const needleScorer = new NeedleScorer(model);
  const results = new Map<string, BenchRecord>(existing);
  const sorted = [...tasks].sort((a, b) => a.path.localeCompare(b.path) || a.start - b.start);
  const refTokens = new Map(tasks.map((t) => [t.id, tok.encode(t.middle).length]));
  // The cap on generated tokens follows the hidden middle's size (2× + 16, at most maxTokens): a
  // bound, as benchmarks set per task, not a hint the model sees.
  const capFor = (t: CompletionTask) => Math.min(plan.maxTokens, 2 * (refTokens.get(t.id) ?? 0) + 16);

  // Completion cells: budget, then RoPE plan, then strategy, then tasks by file: consecutive cells share
  // the plan and, often, chunks (the same imports and definitions), in one session.
  for (const budget of plan.budgets) {
    const factor = factorFor(budget, card.trainLength);
    for (const rope of plan.ropes) {
      const same = canonical(rope, budget);
      for (const strategy of plan.strategies) {
        const session = `bench:${strategy}:${budget}:${rope}`;
        for (const task of sorted) {
          const key = completionKey(task.id, strategy, budget, rope);
          planKeys.add(key);
          if (existing.has(key)) continue;
          const prompt = prompts.get(`${task.id}|${strategy}|${budget}`);
          if (!prompt) continue;
          const label = `${strategy} ${rope} ${budget} ${task.level} ${task.path}`;
          if (same !== rope) {
            jobs.push({ key, phase: 'completion', label, estimateMs: 0, run: async () => {
              const base = results.get(completionKey(task.id, strategy, budget, same)) as CompletionRecord | undefined;
              return base ? { ...base, key, rope, factor, sameAs: same } : undefined;
            } });
            continue;
          }
          jobs.push({ key, phase: 'completion', label, estimateMs: estimateMs(cost, prompt.tokens, capFor(task) / 2), run: async () => {
            const r = await generator.generate(prompt.segments, { method: rope, options: ropeOptions(rope, factor, budget) }, {
              maxTokens: capFor(task), stopTokens: fimStops, session, signal: options.signal,
            });
            if (r.stopReason === 'cancelled') return undefined;
            const prediction = postProcess(task, r.text);
            const passAt1 = ctx.execution ? ((await ctx.execution.passes(task.path, task.prefix + prediction + task.suffix)).passed ? 1 : 0) : null;
            return {
              kind: 'completion', key, taskId: task.id, level: task.level, path: task.path, strategy, rope, factor, budget,
              promptTokens: r.promptTokens, reusedTokens: r.reusedTokens, prediction, ...scoreCompletion(prediction, task.middle),
              passAt1, latencyMs: r.prefillMs + r.decodeMs,
            } satisfies CompletionRecord;
          } });
        }
      }
    }
  }

  // Needle cells: per length, method and trial one session; depths in order, so the filler before the
  // needle is a growing shared prefix (reused from the cache). Scored by teacher forcing the value.
  if (plan.needle) {
    const language: NeedleLanguage = [...index.files.values()].filter((f) => f.language === 'python').length * 2 >= index.files.size ? 'python' : 'typescript';
    const filler = [...files].map(([path, text]) => ({ path, text })).filter((f) => f.text.length > 200);
    const rng = new Random(plan.seed + 7);
    const values = Array.from({ length: plan.needle.trials }, () => rng.int(10000, 99999));
    // Each trial takes the filler from a different place in the repository.
    const rotated = (trial: number) => filler.slice((trial * 7) % Math.max(1, filler.length)).concat(filler.slice(0, (trial * 7) % Math.max(1, filler.length)));
    for (const length of plan.needle.lengths) {
      const factor = factorFor(length, card.trainLength);
      for (const rope of plan.ropes) {
        const same = canonical(rope, length);
        for (let trial = 0; trial < plan.needle.trials; trial++) {
          for (const depth of plan.needle.depths) {
            const key = `needle|${length}|${depth}|${trial}|${rope}|${plan.seed}`;
            planKeys.add(key);
          if (existing.has(key)) continue;
            const value = values[trial] as number;
            const label = `needle ${rope} ${length} depth ${depth}`;
            if (same !== rope) {
              jobs.push({ key, phase: 'needle', label, estimateMs: 0, run: async () => {
                const base = results.get(`needle|${length}|${depth}|${trial}|${same}|${plan.seed}`) as NeedleRecord | undefined;
                return base ? { ...base, key, rope, factor, sameAs: same } : undefined;
              } });
              continue;
            }
            jobs.push({ key, phase: 'needle', label, estimateMs: estimateMs(cost, length, 0), run: async () => {
              const p = buildNeedlePrompt(tok, tok.fimSpecials(), rotated(trial), { length, depth, value, serial: trial + 1, language });
              const valueIds = tok.encode(` ${value}`);
              const ropePlan = planRope(rope, geometry, ropeOptions(rope, factor, p.tokens + valueIds.length));
              const s = await needleScorer.score(p.segments.flat(), valueIds, ropePlan, `needle:${length}:${rope}:${trial}`);
              return {
                kind: 'needle', key, rope, factor, length, depth, trial, value, prediction: tok.decode(s.argmaxTokens),
                correct: s.correct ? 1 : 0, valueNll: s.valueNll, valueProbability: Math.exp(-s.valueNll), latencyMs: s.ms,
              } satisfies NeedleRecord;
            } });
          }
        }
      }
    }
  }

  // Perplexity cells: the repository in dependency order, windows of each length, per method.
  if (plan.perplexity) {
    const { lengths, windows, scoreTokens } = plan.perplexity;
    let stream: number[] | undefined;
    const streamOf = () => {
      if (!stream) {
        const order = dependencyOrder([...index.files.values()].map((f) => ({ path: f.path, imports: f.imports.map((i) => i.resolved).filter((x): x is string => !!x) })));
        stream = [];
        const max = Math.max(...lengths) * windows * 2;
        for (const path of order) {
          const t = files.get(path);
          if (t !== undefined) stream.push(tok.special['<|file_sep|>'], ...tok.encode(`${path}\n${t}`));
          if (stream.length > max) break;
        }
      }
      return stream;
    };
    for (const rope of plan.ropes) {
      for (const length of lengths) {
        const factor = factorFor(length, card.trainLength);
        const same = canonical(rope, length);
        const key = `perplexity|${length}|${rope}|${windows}|${scoreTokens}`;
        planKeys.add(key);
          if (existing.has(key)) continue;
        const label = `perplexity ${rope} ${length}`;
        if (same !== rope) {
          jobs.push({ key, phase: 'perplexity', label, estimateMs: 0, run: async () => {
            const base = results.get(`perplexity|${length}|${same}|${windows}|${scoreTokens}`) as PerplexityRecord | undefined;
            return base ? { ...base, key, rope, factor, sameAs: same } : undefined;
          } });
          continue;
        }
        jobs.push({ key, phase: 'perplexity', label, estimateMs: windows * estimateMs(cost, length, 0), run: async () => {
          const s = streamOf();
          const t0 = performance.now();
          const ropePlan = planRope(rope, geometry, ropeOptions(rope, factor, length));
          let total = 0;
          let count = 0;
          let scored = 0;
          for (const start of [...new Set(windowStarts(s.length, length, windows))]) {
            const loss = await windowLoss(model, s.slice(start, start + length), ropePlan, scoreTokens, 512, options.signal);
            if (!loss) return undefined;
            total += loss.nll;
            scored += loss.tokens;
            count++;
          }
          if (count === 0) return undefined; // the repository is shorter than this length
          const nll = total / count;
          return { kind: 'perplexity', key, rope, factor, length, nll, perplexity: Math.exp(nll), windows: count, scoredTokens: scored, latencyMs: performance.now() - t0 } satisfies PerplexityRecord;
        } });
      }
    }
  }

  const estimateTotal = jobs.reduce((a, j) => a + j.estimateMs, 0);
  const counts = { completion: 0, needle: 0, perplexity: 0 };
  for (const j of jobs) counts[j.phase as keyof typeof counts]++;

  return {
    tasks, pending: jobs.length, done: planKeys.size - jobs.length, estimateMs: estimateTotal, counts,
    async run(runOptions = {}) {
      const t0 = performance.now();
      let estimatedDone = 0;
      let ran = 0;
      let skipped = 0;
      for (const [i, job] of jobs.entries()) {
        if (runOptions.signal?.aborted) return finish(true);
        const record = await job.run();
        if (record) {
          appendRecord(resultsPath, record);
          results.set(record.key, record);
          ran++;
        } else skipped++;
        if (runOptions.signal?.aborted) return finish(true);
        estimatedDone += job.estimateMs;
        const elapsed = performance.now() - t0;
        const speed = estimatedDone > 0 ? elapsed / estimatedDone : 1;
        runOptions.onProgress?.({ phase: job.phase, done: i + 1, total: jobs.length, elapsedMs: elapsed, etaMs: (estimateTotal - estimatedDone) * speed, label: job.label });
      }
      return finish(false);

      function finish(cancelled: boolean): BenchOutcome {
        return { records: [...results.values()].filter((r) => planKeys.has(r.key)), cancelled, ranCells: ran, skippedCells: skipped, wallMs: performance.now() - t0 };
      }
    },
  };
}
