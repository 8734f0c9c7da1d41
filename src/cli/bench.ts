// `ropewalk bench`: the repository benchmark (quality × length × RoPE method × context strategy) and its
// report; with --backend, the completion cells through a team's inference server.

import { loadTokenizer } from '../model/tokenizers/load-tokenizer';
import { basename, join, resolve } from 'node:path';
import { formatDuration } from '../bench/bench-protocol';
import { detectTestCommand, ExecutionSandbox } from '../bench/execution';
import { reportMarkdown, writeBenchOutputs } from '../bench/outputs';
import type { ServerMeta } from '../bench/report';
import { buildReportData } from '../bench/report-data';
import {
  prepareBench,
  prepareRemoteBench,
  SERVER_ROPE,
  type BenchOutcome,
  type BenchPlan,
  type BenchProgress,
  type PreparedBench,
} from '../bench/runner';
import { REMOTE_DEFAULT_CONTEXT, remoteSettings } from '../completion/remote-setup';
import { FileTexts } from '../context/file-texts';
import { defaultGrammarsDir, SyntaxLoader } from '../context/syntax';
import { readLongRopeFactors } from '../model/rope';
import { UsageError, type Command, type CommandSpec, type ParsedArgs } from './args';
import { benchPlanOf, BENCH_OPTIONS } from './bench-options';
import { benchReporter, type BenchReporter } from './bench-reporter';
import { loadModel, ropeFactorsPath } from './model-options';
import { requireFolder } from './paths';
import { backendOf, connectFromArgs, REMOTE_OPTIONS, type RemoteSession } from './remote-options';
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
report.html, charts/*.svg and auto.json (also saved for the model's auto RoPE setting).

With --backend and --endpoint the completion cells run on that inference server, with its own
RoPE (the method axis does not apply): quality, per-request latency and the share of prompt tokens
its cache served, per budget. Needle and perplexity need token log-probabilities and are skipped
(the report says so); budgets beyond the server's context are left out.`,
  options: [...BENCH_OPTIONS, ...REMOTE_OPTIONS],
};

/** Options of Ropewalk's own engine that a server run refuses rather than ignores. */
const LOCAL_ONLY_OPTIONS = [
  'rope',
  'rope-factors',
  'auto-dir',
  'needle-lengths',
  'needle-depths',
  'needle-trials',
  'ppl-lengths',
  'ppl-windows',
  'provider',
  'kv-type',
];

/** The local benchmark's cells a server run leaves out, and why (the report carries them). */
export const SERVER_SKIPPED: ServerMeta['skipped'] = [
  {
    cells: 'RoPE methods',
    reason: `the server applies its own RoPE scaling: one method, '${SERVER_ROPE}'`,
  },
  {
    cells: 'needle',
    reason:
      "needs the probability of the needle value's tokens (log-probabilities of given text), which Ropewalk reads from its own engine; asking a server for them is not implemented",
  },
  {
    cells: 'perplexity',
    reason:
      'needs the log-probability of every token of a window, which Ropewalk reads from its own engine; asking a server for them is not implemented',
  },
];

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

/** What a local and a server run share: the index, the files' texts and grammars, the execution sandbox,
 * Ctrl-C as a cancel, and progress events for the parent. */
interface BenchWorkspace {
  index: Awaited<ReturnType<typeof buildIndex>>['index'];
  texts: FileTexts;
  loader: SyntaxLoader;
  execution?: ExecutionSandbox;
  /** Why passAt1 is null, when it is. */
  execNotes: string[];
  signal: AbortSignal;
  stopListening: () => void;
  onProgress: (p: BenchProgress) => void;
}

async function openWorkspace(
  args: ParsedArgs,
  root: string,
  reporter: BenchReporter,
  say: (line: string) => void,
): Promise<BenchWorkspace> {
  const { index, stats } = await buildIndex(root, args);
  say(
    `indexed ${stats.parsedFiles} files in ${formatDuration(stats.ms)}; building tasks and prompts…`,
  );
  const exec = await executionOf(args, root, say);
  const controller = new AbortController();
  return {
    index,
    texts: new FileTexts(root),
    loader: new SyntaxLoader(defaultGrammarsDir()),
    execution: exec.execution,
    execNotes: exec.notes,
    signal: controller.signal,
    stopListening: reporter.onInterrupt(() => controller.abort()),
    onProgress: (p: BenchProgress) => reporter.emit({ type: 'progress', ...p }),
  };
}

/** Says how big the prepared run is, then runs its cells until done or cancelled. */
async function runPrepared(
  ws: BenchWorkspace,
  prepared: PreparedBench,
  reporter: BenchReporter,
  say: (line: string) => void,
  setupMs: number,
  results: string,
): Promise<BenchOutcome> {
  announceEstimate(reporter, say, prepared, setupMs, results);
  const outcome = await prepared.run({ signal: ws.signal, onProgress: ws.onProgress });
  ws.stopListening();
  return outcome;
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
  /** The model's name and training length (a server's: what it says it runs, and its context). */
  model: { name: string; trainLength: number };
  /** Set for a run on an inference server. */
  server?: ServerMeta;
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
    model,
    plan,
    tasks: run.tasks,
    wallMs,
    records: outcome.records,
    cancelled: outcome.cancelled,
    notes: run.notes,
    server: run.server,
  });
  const written = writeBenchOutputs(out, data, {
    modelId: model.name,
    assetsRoot: join(__dirname, '..'),
    saveAuto: !outcome.cancelled && !run.server,
    autoDir: args.optionalString('auto-dir'),
  });
  say(
    `${outcome.ranCells} cells run in ${formatDuration(outcome.wallMs)}; wall time ${formatDuration(wallMs)}${outcome.cancelled ? ' (interrupted)' : ''}`,
  );
  console.log(reportMarkdown(data).split('## Summary')[0]);
  console.log(`results: ${join(out, 'report.json')}`);
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
  let ws: BenchWorkspace | undefined;
  try {
    const tok = loadTokenizer(model.files.tokenizer);
    const ropeSettings = factorsFile ? { longrope: readLongRopeFactors(factorsFile) } : undefined;
    ws = await openWorkspace(args, root, reporter, say);
    const results = join(out, 'results.jsonl');
    const { index, texts, loader, execution } = ws;
    const ctx = { model, tok, index, texts, loader, ropeSettings, execution };
    const prepared = await prepareBench(ctx, plan, results, {
      onProgress: ws.onProgress,
      signal: ws.signal,
      onCost: (c) =>
        say(
          `cost model: prefill ${(c.a * 1000).toFixed(1)} µs/token + ${(c.b * 1e6).toFixed(3)} ns/token², decode ${c.decodeMs.toFixed(1)} ms/token`,
        ),
    });
    const outcome = await runPrepared(ws, prepared, reporter, say, performance.now() - t0, results);
    const wallMs = performance.now() - t0;
    const tasks = prepared.tasks.length;
    const card = model.card;
    const run = { root, out, plan, model: card, tasks, outcome, notes: ws.execNotes, wallMs };
    return reportOutcome(args, reporter, say, run);
  } finally {
    ws?.execution?.dispose();
    await model.dispose();
  }
}

/** The endpoint's host and port: what a report may say of a server (no credentials, path or query). */
export function endpointHost(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return '(unparsable endpoint)';
  }
}

/** The option checks of a server run, before anything is read or asked: exit 2 on a mistake. */
function checkRemoteOptions(args: ParsedArgs): void {
  const kind = backendOf(args);
  const local = LOCAL_ONLY_OPTIONS.filter((o) => args.has(o));
  if (local.length)
    throw new UsageError(
      `${local.map((o) => `--${o}`).join(', ')} with --backend ${kind}: only for Ropewalk's own engine (the server applies its own RoPE; needle and perplexity are not run on a server)`,
    );
  if (!args.optionalString('endpoint'))
    throw new UsageError(`--backend ${kind} needs --endpoint URL`);
}

/**
 * The budgets that fit the server's context beside the answer, and a note for those that do not; when
 * none fits, the largest that does (what the editor would use).
 */
function serverBudgets(
  remote: RemoteSession,
  plan: BenchPlan,
): { budgets: number[]; notes: string[] } {
  const room = remoteSettings(remote.model, { maxTokens: plan.maxTokens }).budget;
  const fits = plan.budgets.filter((b) => b <= room);
  const left = plan.budgets.filter((b) => b > room);
  if (left.length === 0) return { budgets: fits, notes: [] };
  const context = remote.model.facts.contextTokens;
  const why = `the server's context (${context ?? `not said; ${REMOTE_DEFAULT_CONTEXT} assumed`} tokens, less ${plan.maxTokens} for the answer): at most ${room} prompt tokens`;
  const these = left.length === 1 ? `Budget ${left[0]}` : `Budgets ${left.join(', ')}`;
  const they = left.length === 1 ? 'it does not fit' : 'they do not fit';
  return fits.length
    ? { budgets: fits, notes: [`${these} left out: ${they} ${why}.`] }
    : { budgets: [room], notes: [`${these}: ${they} ${why}; the run used ${room} instead.`] };
}

function serverPlanLines(plan: BenchPlan, server: ServerMeta): string[] {
  return [
    `planned: ${plan.samples} tasks (${plan.levels.join(', ')}) × budgets ${plan.budgets.join(', ')} × strategies ${plan.strategies.join(', ')}, on ${server.backend} at ${server.host}`,
    ...server.skipped.map((x) => `         ${x.cells}: skipped (${x.reason})`),
  ];
}

/** The completion cells on an inference server, reported with the server's latency and cache use. */
async function runRemoteBench(args: ParsedArgs, reporter: BenchReporter): Promise<number> {
  checkRemoteOptions(args);
  const root = requireFolder(args.positional[0] as string);
  const asked = benchPlanOf(args, false);
  const out = resolve(args.optionalString('out') ?? `ropewalk-bench-${basename(root)}`);
  const say = (line: string) => reporter.emit({ type: 'log', line });
  const t0 = performance.now();
  const remote = (await connectFromArgs(args)) as RemoteSession;
  const facts = remote.model.facts;
  const fitted = serverBudgets(remote, asked);
  const plan: BenchPlan = {
    ...asked,
    budgets: fitted.budgets,
    ropes: [],
    needle: null,
    perplexity: null,
  };
  const server: ServerMeta = {
    backend: remote.backend.kind,
    host: endpointHost(remote.backend.endpoint),
    model: facts.model ?? args.optionalString('remote-model') ?? null,
    family: remote.model.template.family,
    contextTokens: facts.contextTokens ?? null,
    skipped: SERVER_SKIPPED,
  };
  reporter.emit({ type: 'plan', plan, out });
  serverPlanLines(plan, server).forEach(say);
  fitted.notes.forEach(say);
  let ws: BenchWorkspace | undefined;
  try {
    ws = await openWorkspace(args, root, reporter, say);
    const results = join(out, 'results.jsonl');
    const { index, texts, loader, execution } = ws;
    const ctx = {
      tok: remote.model.tok,
      index,
      texts,
      loader,
      execution,
      engine: remote.engine,
      stopTokens: [...remote.model.template.stopTokens],
    };
    const prepared = await prepareRemoteBench(ctx, plan, results, {
      onProgress: ws.onProgress,
      signal: ws.signal,
    });
    const outcome = await runPrepared(ws, prepared, reporter, say, performance.now() - t0, results);
    const notes = [
      ...fitted.notes,
      ...(remote.model.exactIds
        ? []
        : [
            "Budgets are counted in estimated tokens (no local tokenizer of the model was given with --model): more than the model's tokenizer makes, so prompts are somewhat shorter than their budgets.",
          ]),
      ...server.skipped.map((x) => `Skipped: ${x.cells}: ${x.reason}.`),
      ...ws.execNotes,
    ];
    const model = {
      name: server.model ?? server.backend,
      trainLength: facts.contextTokens ?? REMOTE_DEFAULT_CONTEXT,
    };
    const wallMs = performance.now() - t0;
    const tasks = prepared.tasks.length;
    return reportOutcome(args, reporter, say, {
      root,
      out,
      plan,
      model,
      server,
      tasks,
      outcome,
      notes,
      wallMs,
    });
  } finally {
    ws?.execution?.dispose();
  }
}

export const benchCommand: Command = {
  spec,
  async run(args) {
    const reporter = benchReporter();
    try {
      if (backendOf(args) !== 'local') return await runRemoteBench(args, reporter);
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
