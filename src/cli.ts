// The `ropewalk` command line: the same core as the extension, from a terminal.

import { readFileSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { engineBench, formatEngineBench } from './bench/engine-bench';
import { buildReusePrompts, reuseAgreement } from './bench/reuse-agreement';
import { contextBench, definitionRecall } from './bench/context-bench';
import { intOption, parseArgs, stringOption, UsageError, type ParsedArgs } from './cli-args';
import type { ContextStrategy } from './context/proposals';
import { RepoIndex } from './context/repo-index';
import { walkRepository } from './context/repo-walk';
import { defaultGrammarsDir, SyntaxLoader } from './context/syntax';
import { readSourceFile } from './context/source-file';
import { Generator } from './model/generate';
import { checkModel } from './model/model-check';
import { defaultModelDir } from './model/model-location';
import { OnnxModel } from './model/onnx-backend';
import { PROVIDER_SETTINGS, type ProviderSetting } from './model/providers';
import { parseRopeSpec, readLongRopeFactors, ropeMethodNames } from './model/rope';
import { BENCH_DEFAULT, BENCH_LARGE } from './bench/bench-plans';
import { prepareBench, type BenchPlan, type BenchProgress } from './bench/runner';
import { summarize, summarizeNeedles, summarizePerplexity, type CompletionRecord, type NeedleRecord, type PerplexityRecord } from './bench/results';
import { bestPerBudget, strategyGains, type ReportData } from './bench/report';
import { reportMarkdown, writeBenchOutputs } from './bench/outputs';
import { HOLE_LEVELS, type HoleLevel } from './bench/task-builder';
import { detectTestCommand, ExecutionSandbox } from './bench/execution';
import { TextTokenizer } from './model/tokenizer';
import { splitAt } from './packing/fim';
import type { ChunkOrder } from './packing/pack';
import { PromptBuilder } from './completion/prompt-builder';
import { FileTexts } from './context/file-texts';
import { completeOnce } from './completion/complete-once';
import type { CompletionLanguage } from './completion/code-text';
import { completionSettings, DEFAULT_MAX_TOKENS } from './completion/defaults';
import { localEngine } from './completion/local-engine';
import { AutoRopeStore } from './bench/auto-rope';
import { languageForPath } from './context/languages';

const USAGE = `usage: ropewalk <command> [options]

commands:
  complete --file F --line L --column C [--model DIR] [--rope METHOD[:FACTOR]] [--max-tokens N]
           [--budget TOKENS] [--temperature T] [--provider auto|cpu|webgpu|cuda|dml|coreml]
           [--strategy infile|jaccard|ast|ast+jaccard] [--rope-factors FILE] [--json]
                               complete the code at a position (lines and columns from 1) with
                               repository context (the current directory is the repository root;
                               --strategy infile: the file alone); prints the completion.
                               --rope-factors: LongRoPE's short/long per-pair factors (JSON)
  engine-bench [--model DIR] [--context 2048,8192,16384] [--edit-tokens 64] [--chunk 512]
               [--provider P] [--json]
                               cold and warm prefill, decoding at depth and at zero, the bandwidth
                               bound; --json prints one object per context size
  context --file F --line L --column C [--budget 4096] [--strategy infile|jaccard|ast|ast+jaccard]
          [--order stable|rank|both-ends] [--cache DIR | --no-cache] [--json]
                               the packed prompt at a cursor and each proposal's type, source, score
                               and tokens; the current directory is the repository root
  index REPO [--max-files N] [--workers N] [--cache DIR | --no-cache] [--json]
                               index a repository: definitions, imports resolved to files, skips
  context-bench REPO [--cursors 30] [--keystrokes 8] [--budget 8192] [--strategy S] [--seed 1] [--json]
                               at seeded cursors, retype a line key by key: context latency (warm and
                               first at a cursor), incremental vs full re-index of the edited file;
                               --definitions: at cursors after a use of an imported name, does the
                               prompt hold its definition from the other file
  reuse-bench REPO [--model DIR] [--prompts 40] [--chunk-tokens 192] [--edit-last N] [--json]
                               top-1 agreement of decoding on a cache whose chunks moved vs cold
  bench REPO [--budgets 1024,2048,4096] [--rope none,yarn,…|all] [--strategies infile,jaccard,ast]
             [--levels expression,statement,block,line,span] [--samples N] [--seed S] [--out DIR]
             [--max-tokens 64] [--needle-lengths 1024,…] [--needle-depths 0,0.5,0.9] [--needle-trials N]
             [--ppl-lengths 512,…] [--ppl-windows N] [--no-needle] [--no-perplexity] [--large]
             [--model DIR] [--provider P] [--rope-factors FILE] [--auto-dir DIR] [--no-cache]
             [--exec [--test-command CMD] [--exec-timeout 120]]
                               repository benchmark: holes cut on the syntax tree, each task × budget ×
                               RoPE method × context strategy generated greedily and scored (exact match,
                               edit similarity, identifier F1), a needle probe and perplexity vs length;
                               prints the planned size and estimated time first, progress and ETA on
                               stderr; results stream to DIR/results.jsonl (a rerun resumes) and DIR gets
                               summary.{json,csv,md}, report.html, charts/*.svg, auto.json (also saved
                               for the model's 'auto' RoPE setting). --large: every method, all four
                               strategies, budgets to 32k, more samples. --exec: pass@1 by running the
                               repository's tests (npm test, pytest, or CMD) on a scratch copy with each
                               completion written in; only for repositories you trust
  model-check [DIR] [--provider P] [--json]
                               load a model and replay its golden cases (parity with PyTorch,
                               prefix reuse from the cache); DIR defaults to the bundled model
`;

function providerOption(args: ParsedArgs): ProviderSetting {
  const p = stringOption(args, 'provider') ?? 'auto';
  if (!(PROVIDER_SETTINGS as readonly string[]).includes(p)) throw new UsageError(`--provider must be one of ${PROVIDER_SETTINGS.join(', ')}`);
  return p as ProviderSetting;
}

/** The model of --model (default: the bundled one) on --provider, telling stderr why providers were skipped. */
function loadModel(args: ParsedArgs): Promise<OnnxModel> {
  return OnnxModel.load(resolve(stringOption(args, 'model') ?? defaultModelDir()), {
    provider: providerOption(args), log: (l) => process.stderr.write(l + '\n'),
  });
}

/** The tokenizer of --model (default: the bundled one), for commands that tokenize without running the model. */
function tokenizerOption(args: ParsedArgs): TextTokenizer {
  return TextTokenizer.load(join(stringOption(args, 'model') ?? defaultModelDir(), 'tokenizer.json'));
}

/** The repository index with the CLI's options: workers, file cap, persisted cache (never in the repository). */
function buildIndex(root: string, args: ParsedArgs) {
  const grammarsDir = defaultGrammarsDir();
  return RepoIndex.build(root, new SyntaxLoader(grammarsDir), {
    maxFiles: intOption(args, 'max-files', 20_000),
    workers: intOption(args, 'workers', availableParallelism()),
    workerScript: join(__dirname, 'index-worker.js'),
    grammarsDir,
    cacheDir: args.options.has('no-cache') ? undefined : stringOption(args, 'cache') ?? join(homedir(), '.cache', 'ropewalk'),
  });
}

async function modelCheck(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json']);
  const dir = resolve(args.positional[0] ?? defaultModelDir());
  const report = await checkModel(dir, providerOption(args), (l) => process.stderr.write(l + '\n'));
  if (args.options.has('json')) {
    console.log(JSON.stringify(report));
  } else {
    console.log(`${report.model}: ${(report.parameters / 1e6).toFixed(2)}M parameters, loaded in ${report.loadMs.toFixed(0)} ms on ${report.provider}`);
    for (const c of report.cases) {
      const reuse = c.reuseMaxAbsDiff === undefined ? '' : `, reused cache vs cold ${c.reuseMaxAbsDiff.toExponential(2)}`;
      console.log(`  ${c.name.padEnd(14)} max |ort − torch| ${c.maxAbsDiff.toExponential(2)}${reuse}`);
    }
    console.log(report.ok ? `ok (tolerance ${report.tolerance})` : `FAILED (tolerance ${report.tolerance})`);
  }
  return report.ok ? 0 : 1;
}

const STRATEGIES: ContextStrategy[] = ['infile', 'jaccard', 'ast', 'ast+jaccard'];

function strategyOption(args: ParsedArgs): ContextStrategy {
  const strategy = (stringOption(args, 'strategy') ?? 'ast') as ContextStrategy;
  if (!STRATEGIES.includes(strategy)) throw new UsageError(`--strategy must be one of ${STRATEGIES.join(', ')}`);
  return strategy;
}

/** --file relative to the current directory, which is the repository root: its repository path, text and cursor offset. */
function cursorOptions(args: ParsedArgs): { root: string; path: string; text: string; offset: number } {
  const file = stringOption(args, 'file');
  if (!file) throw new UsageError('--file is required');
  const root = process.cwd();
  const text = readSourceFile(resolve(file));
  const { prefix } = splitAt(text, intOption(args, 'line'), intOption(args, 'column'));
  return { root, path: relative(root, resolve(file)).split(sep).join('/'), text, offset: prefix.length };
}

async function complete(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json', 'no-cache', 'raw']);
  const cursor = cursorOptions(args);
  const strategy = strategyOption(args);
  const rope = stringOption(args, 'rope');
  const language = languageForPath(cursor.path);
  if (!language) throw new UsageError(`${cursor.path}: not a language Ropewalk completes`);
  const model = await loadModel(args);
  try {
    const tok = TextTokenizer.load(model.files.tokenizer);
    const autoRope = new AutoRopeStore(stringOption(args, 'auto-dir'), (l) => process.stderr.write(l + '\n'));
    const budget = stringOption(args, 'budget') === undefined ? undefined : intOption(args, 'budget');
    const settings = completionSettings(
      { budget, strategy, rope: rope === undefined ? 'auto' : parseRopeSpec(rope).method, maxTokens: intOption(args, 'max-tokens', DEFAULT_MAX_TOKENS) },
      { provider: model.provider, card: model.card, tok, measuredBest: (b) => autoRope.bestFor(model.card.name, b)?.method },
    );
    // METHOD:FACTOR pins the factor; LongRoPE's factors come from a file.
    const factorsFile = stringOption(args, 'rope-factors');
    if (rope?.includes(':')) settings.rope.options.factor = parseRopeSpec(rope).factor;
    if (factorsFile) Object.assign(settings.rope.options, readLongRopeFactors(factorsFile));
    // In-file context needs no index; the other strategies index the current directory first.
    const loader = new SyntaxLoader(defaultGrammarsDir());
    const index = settings.strategy === 'infile' ? RepoIndex.empty(cursor.root, loader) : (await buildIndex(cursor.root, args)).index;
    const builder = new PromptBuilder(index, tok, new FileTexts(cursor.root).get);
    const engine = localEngine(new Generator(model, tok), model.provider);
    const result = await completeOnce({ path: cursor.path, text: cursor.text, offset: cursor.offset, language: language.id as CompletionLanguage }, settings, { builder, engine, loader });
    if (!result) return 130;
    const shown = args.options.has('raw') ? result.raw : (result.text ?? '');
    if (args.options.has('json')) {
      const g = result.generation;
      console.log(JSON.stringify({
        completion: result.text ?? null, raw: result.raw, shape: result.prepared.shape.mode, rope: settings.rope, budget: settings.budget,
        strategy: settings.strategy, stopReason: g.stopReason, promptTokens: g.promptTokens, tokens: g.tokens, prefillMs: g.prefillMs, decodeMs: g.decodeMs,
        context: result.prepared.built.packed.chunks.map((c) => ({ type: c.type, source: c.source, tokens: c.tokens })),
      }));
    } else process.stdout.write(shown + '\n');
  } finally {
    await model.dispose();
  }
  return 0;
}

async function engineBenchCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json']);
  const contexts = (stringOption(args, 'context') ?? '2048,8192,16384').split(',').map((c) => {
    const n = Number(c);
    if (!Number.isInteger(n) || n < 16) throw new UsageError(`--context takes token counts ≥ 16, got ${c}`);
    return n;
  });
  const editTokens = intOption(args, 'edit-tokens', 64);
  if (editTokens < 1 || editTokens >= Math.min(...contexts)) throw new UsageError('--edit-tokens must be between 1 and the smallest context');
  const model = await loadModel(args);
  try {
    const tok = TextTokenizer.load(model.files.tokenizer);
    // Real code as the prompt: this program's own bundled source.
    const source = tok.encode(readFileSync(__filename, 'utf8'));
    const json = args.options.has('json');
    const rows = await engineBench(model, { contexts, editTokens, source, prefillChunk: intOption(args, 'chunk', 512) },
      (row) => { if (json) console.log(JSON.stringify(row)); });
    if (!json) console.log(formatEngineBench(rows));
  } finally {
    await model.dispose();
  }
  return 0;
}

async function reuseBenchCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json']);
  const dir = args.positional[0];
  if (!dir) throw new UsageError('reuse-bench needs a repository folder');
  const files = walkRepository(resolve(dir), { extensions: ['.py', '.ts', '.js', '.tsx', '.jsx', '.mjs'], maxFiles: 10_000, keepText: true }).files.map((f) => ({ path: f.path, text: f.text as string }));
  const model = await loadModel(args);
  try {
    const tok = TextTokenizer.load(model.files.tokenizer);
    const prompts = buildReusePrompts(tok, files, intOption(args, 'prompts', 40), intOption(args, 'chunk-tokens', 192));
    if (prompts.length === 0) throw new UsageError(`not enough source files under ${dir} to build prompts`);
    const editLast = intOption(args, 'edit-last', 0);
    const row = await reuseAgreement(model, tok, prompts, intOption(args, 'compare-tokens', 8), editLast);
    if (args.options.has('json')) console.log(JSON.stringify(row));
    else {
      console.log(`${row.prompts} prompts of 5 chunks (${row.chunkTokens.toFixed(0)} tokens each on average), one dropped${editLast ? `, the last one's last ${editLast} tokens edited` : ''}; ${row.movedTokensMean.toFixed(0)} tokens moved on average`);
      console.log(`top-1 next token, moved cache vs cold: ${(100 * row.top1Agreement).toFixed(1)}% agree`);
      console.log(`greedy tokens agreeing before the first divergence: ${(100 * row.tokenAgreement).toFixed(1)}% of ${row.tokensCompared} per prompt`);
      console.log(`prefill: ${row.warmPrefillMsMean.toFixed(1)} ms with the moved cache vs ${row.coldPrefillMsMean.toFixed(1)} ms cold`);
    }
  } finally {
    await model.dispose();
  }
  return 0;
}

async function indexCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json', 'no-cache']);
  const dir = args.positional[0];
  if (!dir) throw new UsageError('index needs a repository folder');
  const { stats } = await buildIndex(resolve(dir), args);
  if (args.options.has('json')) console.log(JSON.stringify(stats));
  else {
    console.log(`${stats.parsedFiles} of ${stats.files} files indexed (${stats.fromCache} unchanged, from the cache) in ${(stats.ms / 1000).toFixed(1)} s, peak RSS ${stats.peakRssMb.toFixed(0)} MB`);
    console.log(`${stats.definitions} definitions, ${stats.imports} imports (${stats.resolvedImports} resolved to repository files)`);
    const skipped = Object.entries(stats.skipped).map(([k, v]) => `${k} ${v}`).join(', ');
    if (skipped) console.log(`skipped: ${skipped}`);
    if (stats.capMessage) console.log(stats.capMessage);
  }
  return 0;
}

async function contextCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json', 'no-cache']);
  const cursor = cursorOptions(args);
  const strategy = strategyOption(args);
  const order = (stringOption(args, 'order') ?? 'stable') as ChunkOrder;
  if (!['stable', 'rank', 'both-ends'].includes(order)) throw new UsageError('--order must be stable, rank or both-ends');
  const { index } = await buildIndex(cursor.root, args);
  const tok = tokenizerOption(args);
  const builder = new PromptBuilder(index, tok, new FileTexts(cursor.root).get);
  const t0 = performance.now();
  const { packed, proposals } = builder.build({ ...cursor, budget: intOption(args, 'budget', 4096), strategy, order });
  const ms = performance.now() - t0;
  const rows = packed.chunks.map((c) => ({ type: c.type, source: c.source, score: Number(c.score.toFixed(4)), tokens: c.tokens }));
  if (args.options.has('json')) {
    console.log(JSON.stringify({ prompt: tok.decode(packed.segments.flat()), tokens: packed.tokens, ms, proposals: rows }));
  } else {
    process.stdout.write(tok.decode(packed.segments.flat()) + '\n\n');
    console.log(`${packed.tokens} tokens, ${rows.length} chunks of ${proposals.length} proposals, ${ms.toFixed(1)} ms`);
    for (const r of rows) console.log(`  ${r.type.padEnd(17)} ${String(r.tokens).padStart(5)} tok  score ${r.score}  ${r.source}`);
  }
  return 0;
}

async function contextBenchCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json', 'no-cache', 'definitions']);
  const dir = args.positional[0];
  if (!dir) throw new UsageError('context-bench needs a repository folder');
  const root = resolve(dir);
  const { index, stats } = await buildIndex(root, args);
  const tok = tokenizerOption(args);
  const texts = new FileTexts(root);
  const builder = new PromptBuilder(index, tok, texts.get);
  const strategy = strategyOption(args);
  const budget = intOption(args, 'budget', 8192);
  if (args.options.has('definitions')) {
    const rows = definitionRecall(index, builder, texts.get, { cursors: intOption(args, 'cursors', 10), budget, strategy, seed: intOption(args, 'seed', 1) });
    if (args.options.has('json')) console.log(JSON.stringify(rows));
    else {
      for (const r of rows) console.log(`${r.found ? '✓' : '✗'} ${r.path}:${r.line}:${r.column}  ${r.name} from ${r.definedIn}${r.via ? ` (${r.via})` : ''}`);
      console.log(`${rows.filter((r) => r.found).length} of ${rows.length} prompts hold the definition the cursor's line needs from another file`);
    }
    return 0;
  }
  const r = await contextBench(index, builder, texts.get, {
    cursors: intOption(args, 'cursors', 30), keystrokes: intOption(args, 'keystrokes', 8), budget, strategy, seed: intOption(args, 'seed', 1),
  });
  if (args.options.has('json')) console.log(JSON.stringify({ index: stats, ...r }));
  else {
    const f = (x: { p50: number; p95: number }) => `p50 ${x.p50.toFixed(1)} ms, p95 ${x.p95.toFixed(1)} ms`;
    console.log(`index: ${stats.files} files (${stats.fromCache} from the cache) in ${(stats.ms / 1000).toFixed(1)} s, peak RSS ${stats.peakRssMb.toFixed(0)} MB`);
    console.log(`${r.cursors} cursors × ${r.keystrokes} keystrokes, strategy ${strategy}, budget ${budget} (${r.meanPromptTokens.toFixed(0)} tokens, ${r.meanChunks.toFixed(1)} chunks per prompt on average)`);
    console.log(`context at a keystroke (warm):    ${f(r.warm)}`);
    console.log(`  of which proposals:             ${f(r.warmProposals)}`);
    console.log(`  of which packing:               ${f(r.warmPack)}`);
    console.log(`context, first at a cursor:       ${f(r.first)}`);
    console.log(`re-index, incremental per key:    ${f(r.reindexIncremental)}`);
    console.log(`re-index of the file from scratch: ${f(r.reindexFull)}`);
  }
  return 0;
}

function listOption<T>(args: ParsedArgs, name: string, fallback: T[], parse: (x: string) => T): T[] {
  const v = stringOption(args, name);
  if (v === undefined) return fallback;
  const out = v.split(',').map((x) => x.trim()).filter(Boolean).map(parse);
  if (out.length === 0) throw new UsageError(`--${name} needs at least one value`);
  return out;
}

const positiveInt = (name: string) => (x: string) => {
  const n = Number(x);
  if (!Number.isInteger(n) || n < 16) throw new UsageError(`--${name} takes token counts ≥ 16, got ${x}`);
  return n;
};

function formatMs(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

async function benchCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-cache', 'no-needle', 'no-perplexity', 'large', 'exec']);
  const dir = args.positional[0];
  if (!dir) throw new UsageError('bench needs a repository folder');
  const root = resolve(dir);
  const large = args.options.has('large');
  const factorsFile = stringOption(args, 'rope-factors');
  // LongRoPE needs searched factors: without a factors file it is left out.
  const allRopes = ropeMethodNames().filter((m) => m !== 'longrope' || factorsFile);
  const ropes = listOption(args, 'rope', allRopes, (r) => {
    if (r === 'all') return r;
    parseRopeSpec(r);
    if (r === 'longrope' && !factorsFile) throw new UsageError('longrope needs --rope-factors FILE');
    return r;
  }).flatMap((r) => (r === 'all' ? allRopes : [r]));
  const defaults = large ? BENCH_LARGE : BENCH_DEFAULT;
  const plan: BenchPlan = {
    budgets: listOption(args, 'budgets', defaults.budgets, positiveInt('budgets')),
    ropes: [...new Set(ropes)],
    strategies: listOption(args, 'strategies', defaults.strategies, (s) => {
      if (!STRATEGIES.includes(s as ContextStrategy)) throw new UsageError(`--strategies takes ${STRATEGIES.join(', ')}`);
      return s as ContextStrategy;
    }),
    levels: listOption(args, 'levels', [...HOLE_LEVELS], (l) => {
      if (!HOLE_LEVELS.includes(l as HoleLevel)) throw new UsageError(`--levels takes ${HOLE_LEVELS.join(', ')}`);
      return l as HoleLevel;
    }),
    samples: intOption(args, 'samples', defaults.samples),
    seed: intOption(args, 'seed', 1),
    maxTokens: intOption(args, 'max-tokens', defaults.maxTokens),
    needle: args.options.has('no-needle') ? null : {
      lengths: listOption(args, 'needle-lengths', defaults.needle.lengths, positiveInt('needle-lengths')),
      depths: listOption(args, 'needle-depths', defaults.needle.depths, (x) => {
        const d = Number(x);
        if (!(d >= 0 && d <= 1)) throw new UsageError(`--needle-depths takes fractions 0–1, got ${x}`);
        return d;
      }),
      trials: intOption(args, 'needle-trials', defaults.needle.trials),
    },
    perplexity: args.options.has('no-perplexity') ? null : {
      lengths: listOption(args, 'ppl-lengths', defaults.perplexity.lengths, positiveInt('ppl-lengths')),
      windows: intOption(args, 'ppl-windows', defaults.perplexity.windows), scoreTokens: 256,
    },
  };
  const out = resolve(stringOption(args, 'out') ?? `ropewalk-bench-${basename(root)}`);
  const err = (line: string) => process.stderr.write(line + '\n');
  err(`planned: ${plan.samples} tasks (${plan.levels.join(', ')}) × budgets ${plan.budgets.join(', ')} × ${plan.ropes.length} methods (${plan.ropes.join(', ')}) × strategies ${plan.strategies.join(', ')}`);
  if (plan.needle) err(`         needle: lengths ${plan.needle.lengths.join(', ')} × depths ${plan.needle.depths.join(', ')} × ${plan.needle.trials} trials × ${plan.ropes.length} methods`);
  if (plan.perplexity) err(`         perplexity: lengths ${plan.perplexity.lengths.join(', ')} × ${plan.perplexity.windows} windows × ${plan.ropes.length} methods`);
  const t0 = performance.now();
  const model = await loadModel(args);
  try {
    const tok = TextTokenizer.load(model.files.tokenizer);
    const loader = new SyntaxLoader(defaultGrammarsDir());
    const { index, stats } = await buildIndex(root, args);
    err(`indexed ${stats.parsedFiles} files in ${formatMs(stats.ms)}; building tasks and prompts…`);
    const ropeSettings = factorsFile ? { longrope: readLongRopeFactors(factorsFile) } : undefined;
    // pass@1 only when asked (--exec says the repository is trusted: its tests run), on a scratch copy.
    const notes: string[] = [];
    let execution: ExecutionSandbox | undefined;
    if (args.options.has('exec')) {
      const given = stringOption(args, 'test-command');
      const command = given ? { argv: given.split(/\s+/).filter(Boolean), reason: '--test-command' } : detectTestCommand(root);
      if (!command) notes.push('passAt1 is null: --exec was given but the repository has no test command Ropewalk recognises (give one with --test-command).');
      else {
        const sandbox = ExecutionSandbox.create(root, command, { trusted: true, timeoutMs: intOption(args, 'exec-timeout', 120) * 1000 });
        err(`running the tests once untouched (${command.argv.join(' ')}, from ${command.reason}) in ${sandbox.dir}…`);
        const base = await sandbox.baseline();
        if (base.passed) execution = sandbox;
        else {
          sandbox.dispose();
          notes.push(`passAt1 is null: the repository's tests (${command.argv.join(' ')}) do not pass untouched${base.timedOut ? ' (timed out)' : ''}.`);
        }
      }
    } else notes.push('passAt1 is null: execution was not asked for (--exec runs the repository\'s tests on a scratch copy, for trusted repositories).');
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      if (++interrupts > 1) process.exit(130);
      err('\ninterrupted: finishing the current cell (results so far are kept; run again to resume)');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const progress = (p: BenchProgress) => {
      const eta = p.phase === 'prepare' ? '' : ` ETA ${formatMs(p.etaMs)}`;
      process.stderr.write(`\r\x1b[K[${p.phase}] ${p.done}/${p.total} ${formatMs(p.elapsedMs)}${eta}  ${p.label.slice(0, 60)}`);
    };
    const results = join(out, 'results.jsonl');
    const prepared = await prepareBench({ model, tok, index, texts: new FileTexts(root), loader, ropeSettings, execution }, plan, results, {
      onProgress: progress, signal: controller.signal,
      onCost: (c) => err(`cost model: prefill ${(c.a * 1000).toFixed(1)} µs/token + ${(c.b * 1e6).toFixed(3)} ns/token², decode ${c.decodeMs.toFixed(1)} ms/token`),
    });
    process.stderr.write('\r\x1b[K');
    err(`${prepared.tasks.length} tasks; ${prepared.pending} cells to run (${prepared.counts.completion} completions, ${prepared.counts.needle} needle, ${prepared.counts.perplexity} perplexity), ${prepared.done} already in ${results}`);
    err(`estimated time: ${formatMs(prepared.estimateMs)} (setup took ${formatMs(performance.now() - t0)})`);
    const outcome = await prepared.run({ signal: controller.signal, onProgress: progress });
    process.off('SIGINT', onSigint);
    process.stderr.write('\r\x1b[K');
    const wallMs = performance.now() - t0;
    const completions = outcome.records.filter((r): r is CompletionRecord => r.kind === 'completion');
    const summary = summarize(completions, { strategies: plan.strategies, ropes: plan.ropes, budgets: plan.budgets, levels: plan.levels });
    const perplexity = summarizePerplexity(outcome.records.filter((r): r is PerplexityRecord => r.kind === 'perplexity'));
    const best = bestPerBudget(summary, model.card.trainLength, perplexity);
    const data: ReportData = {
      meta: {
        repository: basename(root), model: model.card.name, trainLength: model.card.trainLength, createdAt: new Date().toISOString(),
        tasks: prepared.tasks.length, wallMs, plan: { ...plan },
        notes: [
          ...notes,
          'Each method runs at factor budget / training length (1 within it); at factor 1 methods whose RoPE plan equals an earlier one\'s share its results.',
          'The best method per budget is the one with the best edit similarity; methods within two standard errors of it are told apart by perplexity at the nearest probe length.',
          'Identifier match is the F1 of identifier multisets (CrossCodeEval ID-F1); exact match and edit similarity compare whitespace-trimmed text.',
          ...(outcome.cancelled ? ['The run was interrupted: these figures cover the cells finished so far.'] : []),
        ],
      },
      summary,
      needles: summarizeNeedles(outcome.records.filter((r): r is NeedleRecord => r.kind === 'needle')),
      perplexity,
      best,
      gains: strategyGains(summary, best),
    };
    execution?.dispose();
    const written = writeBenchOutputs(out, data, { modelId: model.card.name, assetsRoot: join(__dirname, '..'), saveAuto: !outcome.cancelled,
      autoDir: stringOption(args, 'auto-dir') });
    err(`${outcome.ranCells} cells run in ${formatMs(outcome.wallMs)}; wall time ${formatMs(wallMs)}${outcome.cancelled ? ' (interrupted)' : ''}`);
    console.log(reportMarkdown(data).split('## Summary')[0]);
    console.log(`report: ${join(out, 'report.html')}`);
    if (written.autoFile) console.log(`auto RoPE choices: ${written.autoFile}`);
    return outcome.cancelled ? 130 : 0;
  } finally {
    await model.dispose();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'engine-bench':
      return engineBenchCommand(rest);
    case 'index':
      return indexCommand(rest);
    case 'context':
      return contextCommand(rest);
    case 'context-bench':
      return contextBenchCommand(rest);
    case 'reuse-bench':
      return reuseBenchCommand(rest);
    case 'complete':
      return complete(rest);
    case 'model-check':
      return modelCheck(rest);
    case 'bench':
      return benchCommand(rest);
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`ropewalk: ${error.message}\n`);
    if (error instanceof UsageError) process.stderr.write(USAGE);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
