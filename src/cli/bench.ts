// `ropewalk bench`: the repository benchmark (quality × length × RoPE method × context strategy) and its report.

import { loadTokenizer } from '../model/tokenizers/load-tokenizer';
import { basename, join, resolve } from 'node:path';
import { formatDuration } from '../bench/bench-protocol';
import { detectTestCommand, ExecutionSandbox } from '../bench/execution';
import { reportMarkdown, writeBenchOutputs } from '../bench/outputs';
import { buildReportData } from '../bench/report-data';
import {
  prepareBench,
  type BenchOutcome,
  type BenchPlan,
  type BenchProgress,
  type PreparedBench,
} from '../bench/runner';
import { FileTexts } from '../context/file-texts';
import { defaultGrammarsDir, SyntaxLoader } from '../context/syntax';
import type { OnnxModel } from '../model/onnx-backend';
import { readLongRopeFactors } from '../model/rope';
import type { Command, CommandSpec, ParsedArgs } from './args';
import { benchPlanOf, BENCH_OPTIONS } from './bench-options';
import { benchReporter, type BenchReporter } from './bench-reporter';
import { loadModel, ropeFactorsPath } from './model-options';
import { requireFolder } from './paths';
import { buildIndex } from './repo-options';

const spec: CommandSpec = {
  name: 'bench',
  summary: 'the repository benchmark: completion quality × length × RoPE method × context strategy',
  operands: 'REPO',
  positionals: { min: 1, max: 1 },
  about: `Holes cut on REPO's syntax tree; each task × budget × RoPE method × context strategy is generated
greedily and scored (exact match, edit similarity, identifier F1), with a needle probe and perplexity
vs length. Prints the planned size and estimated time first, progress and ETA on stderr (typed
messages instead when forked with an IPC channel). Results stream to DIR/results.jsonl (a rerun
resumes; Ctrl-C finishes the current cell and keeps what is done) and DIR gets summary.{json,csv,md},
report.html, charts/*.svg and auto.json (also saved for the model's auto RoPE setting).`,
  options: BENCH_OPTIONS,
};

function planLines(plan: BenchPlan): string[] {
  const lines = [
    `planned: ${plan.samples} tasks (${plan.levels.join(', ')}) × budgets ${plan.budgets.join(', ')} × ${plan.ropes.length} methods (${plan.ropes.join(', ')}) × strategies ${plan.strategies.join(', ')}`,
  ];
  if (plan.needle)
    lines.push(
      `         needle: lengths ${plan.needle.lengths.join(', ')} × depths ${plan.needle.depths.join(', ')} × ${plan.needle.trials} trials × ${plan.ropes.length} methods`,
    );
  if (plan.perplexity)
    lines.push(
      `         perplexity: lengths ${plan.perplexity.lengths.join(', ')} × ${plan.perplexity.windows} windows × ${plan.ropes.length} methods`,
    );
  return lines;
}

/** The scratch copy that runs the repository's tests when --exec says it is trusted, and notes on why not. */
async function executionOf(
  args: ParsedArgs,
  root: string,
  say: (line: string) => void,
): Promise<{ execution?: ExecutionSandbox; notes: string[] }> {
  if (!args.flag('exec'))
    return {
      notes: [
        "passAt1 is null: execution was not asked for (--exec runs the repository's tests on a scratch copy, for trusted repositories).",
      ],
    };
  const given = args.optionalString('test-command');
  const command = given
    ? { argv: given.split(/\s+/).filter(Boolean), reason: '--test-command' }
    : detectTestCommand(root);
  if (!command)
    return {
      notes: [
        'passAt1 is null: --exec was given but the repository has no test command Ropewalk recognises (give one with --test-command).',
      ],
    };
  const sandbox = ExecutionSandbox.create(root, command, {
    trusted: true,
    timeoutMs: args.int('exec-timeout') * 1000,
  });
  say(
    `running the tests once untouched (${command.argv.join(' ')}, from ${command.reason}) in ${sandbox.dir}…`,
  );
  const base = await sandbox.baseline();
  if (base.passed) return { execution: sandbox, notes: [] };
  sandbox.dispose();
  return {
    notes: [
      `passAt1 is null: the repository's tests (${command.argv.join(' ')}) do not pass untouched${base.timedOut ? ' (timed out)' : ''}.`,
    ],
  };
}

/** Tells the parent and the terminal how big the run is and how long it should take, before any cell runs. */
function announceEstimate(
  reporter: BenchReporter,
  say: (line: string) => void,
  prepared: PreparedBench,
  setupMs: number,
  results: string,
): void {
  reporter.emit({
    type: 'estimate',
    tasks: prepared.tasks.length,
    pending: prepared.pending,
    done: prepared.done,
    counts: prepared.counts,
    estimateMs: prepared.estimateMs,
    setupMs,
  });
  say(
    `${prepared.tasks.length} tasks; ${prepared.pending} cells to run (${prepared.counts.completion} completions, ${prepared.counts.needle} needle, ${prepared.counts.perplexity} perplexity), ${prepared.done} already in ${results}`,
  );
  say(
    `estimated time: ${formatDuration(prepared.estimateMs)} (setup took ${formatDuration(setupMs)})`,
  );
}

/** A run as it ended (complete or interrupted), with what the report is made from. */
interface FinishedRun {
  root: string;
  out: string;
  plan: BenchPlan;
  model: OnnxModel;
  tasks: number;
  outcome: BenchOutcome;
  notes: string[];
  wallMs: number;
}

/**
 * Writes the report and its files, prints the summary and tells the parent it is done; an interrupted
 * run still reports what it finished, but does not save its auto choices. Returns the exit code.
 */
function reportOutcome(
  args: ParsedArgs,
  reporter: BenchReporter,
  say: (line: string) => void,
  run: FinishedRun,
): number {
  const { root, out, plan, model, outcome, wallMs } = run;
  const data = buildReportData({
    repository: basename(root),
    model: model.card,
    plan,
    tasks: run.tasks,
    wallMs,
    records: outcome.records,
    cancelled: outcome.cancelled,
    notes: run.notes,
  });
  const written = writeBenchOutputs(out, data, {
    modelId: model.card.name,
    assetsRoot: join(__dirname, '..'),
    saveAuto: !outcome.cancelled,
    autoDir: args.optionalString('auto-dir'),
  });
  say(
    `${outcome.ranCells} cells run in ${formatDuration(outcome.wallMs)}; wall time ${formatDuration(wallMs)}${outcome.cancelled ? ' (interrupted)' : ''}`,
  );
  console.log(reportMarkdown(data).split('## Summary')[0]);
  console.log(`report: ${join(out, 'report.html')}`);
  if (written.autoFile) console.log(`auto RoPE choices: ${written.autoFile}`);
  reporter.emit({
    type: 'done',
    report: join(out, 'report.json'),
    autoFile: written.autoFile,
    cancelled: outcome.cancelled,
    ranCells: outcome.ranCells,
    wallMs,
  });
  return outcome.cancelled ? 130 : 0;
}

async function runBench(args: ParsedArgs, reporter: BenchReporter): Promise<number> {
  const root = requireFolder(args.positional[0] as string);
  const factorsFile = ropeFactorsPath(args);
  const plan = benchPlanOf(args, factorsFile !== undefined);
  const out = resolve(args.optionalString('out') ?? `ropewalk-bench-${basename(root)}`);
  const say = (line: string) => reporter.emit({ type: 'log', line });
  reporter.emit({ type: 'plan', plan, out });
  planLines(plan).forEach(say);
  const t0 = performance.now();
  const model = await loadModel(args, Math.max(...plan.budgets));
  let execution: ExecutionSandbox | undefined;
  try {
    const tok = loadTokenizer(model.files.tokenizer);
    const { index, stats } = await buildIndex(root, args);
    say(
      `indexed ${stats.parsedFiles} files in ${formatDuration(stats.ms)}; building tasks and prompts…`,
    );
    const ropeSettings = factorsFile ? { longrope: readLongRopeFactors(factorsFile) } : undefined;
    const exec = await executionOf(args, root, say);
    execution = exec.execution;
    const controller = new AbortController();
    const stopListening = reporter.onInterrupt(() => controller.abort());
    const onProgress = (p: BenchProgress) => reporter.emit({ type: 'progress', ...p });
    const results = join(out, 'results.jsonl');
    const ctx = {
      model,
      tok,
      index,
      texts: new FileTexts(root),
      loader: new SyntaxLoader(defaultGrammarsDir()),
      ropeSettings,
      execution,
    };
    const prepared = await prepareBench(ctx, plan, results, {
      onProgress,
      signal: controller.signal,
      onCost: (c) =>
        say(
          `cost model: prefill ${(c.a * 1000).toFixed(1)} µs/token + ${(c.b * 1e6).toFixed(3)} ns/token², decode ${c.decodeMs.toFixed(1)} ms/token`,
        ),
    });
    announceEstimate(reporter, say, prepared, performance.now() - t0, results);
    const outcome = await prepared.run({ signal: controller.signal, onProgress });
    stopListening();
    const wallMs = performance.now() - t0;
    const tasks = prepared.tasks.length;
    const run = { root, out, plan, model, tasks, outcome, notes: exec.notes, wallMs };
    return reportOutcome(args, reporter, say, run);
  } finally {
    execution?.dispose();
    await model.dispose();
  }
}

export const benchCommand: Command = {
  spec,
  async run(args) {
    const reporter = benchReporter();
    try {
      return await runBench(args, reporter);
    } catch (error) {
      // The parent learns of the failure as a message; the one-line message on stderr comes from main.
      reporter.emit({
        type: 'error',
        name: (error as Error).name,
        message: (error as Error).message,
      });
      throw error;
    } finally {
      await reporter.flush();
    }
  },
};
