// The GPU verification's checks (issue 16), run by scripts/gpu/call2.sh on the lent machine with the
// carried Node: provider parity (model-check --against cpu) for the bundled model and GGUF files written
// here, engine speed at 8k/16k/32k on the GPU provider and on the CPU, and 0.5B/1.5B shapes while time
// remains. Every step is its own process (a crash is one failed step, with its signal, not a lost run),
// under a global deadline; results are rewritten to OUT after each step.
// Usage: node scripts/gpu/verify.mjs --out DIR [--provider webgpu] [--deadline SECONDS] [--gguf-tool FILE]
//   [--only parity,speed,big] [--contexts 8192,16384,32768]
// Writes OUT/verify.json (every step: command, exit, signal, time, parsed JSON), OUT/verify.log (each
// step's output, tails) and OUT/summary.md (the README's tables).

import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    out: { type: 'string' },
    provider: { type: 'string', default: 'webgpu' },
    deadline: { type: 'string', default: '390' },
    'gguf-tool': { type: 'string', default: '.gpu-carry/part2/random-gguf.js' },
    only: { type: 'string', default: 'parity,speed,big' },
    contexts: { type: 'string', default: '8192,16384,32768' },
    'gguf-dir': { type: 'string', default: '/tmp/rw/gguf' },
  },
});
if (!opts.out) {
  console.error('usage: node scripts/gpu/verify.mjs --out DIR [--provider webgpu] [--deadline S]');
  process.exit(2);
}
const out = resolve(opts.out);
mkdirSync(out, { recursive: true });
const gpu = opts.provider;
const started = Date.now();
const deadline = started + Number(opts.deadline) * 1000;
const only = new Set(opts.only.split(','));
const contexts = opts.contexts.split(',').map(Number);
const cli = resolve('dist/cli.js');
const logFile = join(out, 'verify.log');
writeFileSync(logFile, '');

const report = {
  started: new Date(started).toISOString(),
  provider: gpu,
  deadlineS: Number(opts.deadline),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGb: totalmem() / 2 ** 30 },
  node: process.version,
  steps: [],
};

const log = (line) => {
  const stamped = `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`;
  console.log(stamped);
  appendFileSync(logFile, stamped + '\n');
};
const secondsLeft = () => (deadline - Date.now()) / 1000;

/** Writes a file whole or not at all: OUT is read back whatever moment the call ends. */
function writeAtomic(path, text) {
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
}

function save() {
  report.elapsedS = (Date.now() - started) / 1000;
  writeAtomic(join(out, 'verify.json'), JSON.stringify(report, null, 1));
  writeAtomic(join(out, 'summary.md'), summary());
}

/**
 * Runs one command with a time limit; returns { rc, signal, ms, stdout, json } where json is every
 * stdout line that parses as JSON. A step whose budget is already spent is recorded as skipped.
 */
function step(id, args, { limitS, minS = 5, program = process.execPath, env } = {}) {
  const budget = Math.min(limitS, secondsLeft() - 3);
  if (budget < minS) {
    const skipped = { id, args, skipped: `deadline: ${secondsLeft().toFixed(0)} s left` };
    report.steps.push(skipped);
    log(`skip ${id} (${skipped.skipped})`);
    save();
    return Promise.resolve(skipped);
  }
  log(`run  ${id}: ${[program === process.execPath ? 'node' : program, ...args].join(' ')}`);
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(program, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, budget * 1000);
    let spawnError;
    child.on('error', (e) => (spawnError = e.message)); // a program that is not there: 'close' follows
    child.on('close', (rc, signal) => {
      clearTimeout(timer);
      const json = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        });
      const result = {
        id,
        args,
        rc,
        signal,
        timedOut,
        ms: Date.now() - t0,
        json,
        stdoutTail: json.length ? undefined : stdout.slice(-1500),
        stderrTail: (spawnError ? `${spawnError}\n` : '') + stderr.slice(-1500),
      };
      report.steps.push(result);
      const how = timedOut
        ? `TIMED OUT after ${budget.toFixed(0)} s`
        : signal
          ? `CRASHED (${signal})`
          : `rc ${rc}`;
      log(`done ${id}: ${how}, ${(result.ms / 1000).toFixed(1)} s`);
      appendFileSync(logFile, indent(stdout.slice(-4000)) + indent(stderr.slice(-2000)));
      save();
      done(result);
    });
  });
}

const indent = (text) => (text.trim() ? text.trim().replace(/^/gm, '    | ') + '\n' : '');

// --- what the machine is ---------------------------------------------------------------------------

async function probe() {
  await step('probe-nvidia-smi', ['-L'], { limitS: 20, program: 'nvidia-smi' });
  // The providers this onnxruntime-node build lists, and whether a WebGPU session can start at all.
  const probeJs = `console.log(JSON.stringify({ backends: require('onnxruntime-node').listSupportedBackends() }));`;
  await step('probe-backends', ['-e', probeJs], { limitS: 30 });
  if (gpu === 'cpu') return;
  // One session on the GPU provider with the Vulkan loader saying which drivers it found and loaded:
  // if WebGPU gets no adapter, the reason is in this step's output.
  await step(
    `probe-${gpu}`,
    [cli, 'model-check', 'models/tiny', '--provider', gpu, '--json', '--verbose'],
    { limitS: 60, env: { VK_LOADER_DEBUG: 'error,warn,driver' } },
  );
}

// --- provider parity ----------------------------------------------------------------------------

/** GGUF files written here by our own writer (small: parity), and llama.cpp's committed Q4_K_M file. */
const PARITY_GGUF = ['qwen2-tiny-f16', 'qwen2-tiny-q8_0', 'qwen2-kq-q4_k'];

async function parity() {
  const models = [
    { id: 'small-cpu', path: 'models/small-cpu' },
    { id: 'small-cpu-kv16', path: 'models/small-cpu', extra: ['--kv-type', 'float16'] },
    { id: 'tiny', path: 'models/tiny' },
  ];
  const written = await step(
    'write-parity-gguf',
    [opts['gguf-tool'], opts['gguf-dir'], ...PARITY_GGUF],
    { limitS: 60 },
  );
  for (const line of written.json ?? []) models.push({ id: line.name, path: line.path });
  const q4km = 'test/fixtures/gguf-ref/qwen2-kq-q4_k_m.gguf';
  if (existsSync(q4km)) models.push({ id: 'qwen2-kq-q4_k_m (llama-quantize)', path: q4km });
  for (const m of models)
    await step(
      `parity ${m.id}`,
      [
        cli,
        'model-check',
        m.path,
        '--provider',
        gpu,
        '--against',
        'cpu',
        '--json',
        ...(m.extra ?? []),
      ],
      { limitS: 90 },
    );
}

// --- speed ---------------------------------------------------------------------------------------

async function speed() {
  // The GPU provider first (it is what this machine is for), then the CPU beside it.
  for (const provider of [gpu, ...(gpu === 'cpu' ? [] : ['cpu'])])
    for (const context of contexts)
      await step(
        `speed small-cpu ${provider} ${context}`,
        [
          cli,
          'engine-bench',
          '--model',
          'models/small-cpu',
          '--provider',
          provider,
          '--context',
          String(context),
          '--json',
        ],
        { limitS: 120, minS: 15 },
      );
}

/** 0.5B and 1.5B shapes, written here: the figures a real completion model would give. */
async function big() {
  for (const [name, context] of [
    ['qwen2-0.5b-q8_0', 8192],
    ['qwen2-1.5b-q4_k', 8192],
  ]) {
    const w = await step(`write ${name}`, [opts['gguf-tool'], opts['gguf-dir'], name], {
      limitS: 120,
      minS: 60,
    });
    const path = w.json?.[0]?.path;
    if (!path) continue;
    await step(
      `speed ${name} ${gpu} ${context}`,
      [
        cli,
        'engine-bench',
        '--model',
        path,
        '--provider',
        gpu,
        '--context',
        String(context),
        '--json',
      ],
      { limitS: 180, minS: 60 },
    );
    await step(
      `parity ${name}`,
      [cli, 'model-check', path, '--provider', gpu, '--against', 'cpu', '--json'],
      { limitS: 120, minS: 45 },
    );
  }
}

// --- the tables ----------------------------------------------------------------------------------

const fmt = (x, digits = 2) => (x === undefined || x === null ? '—' : x.toExponential(digits));
const ms = (x) => (x === undefined ? '—' : x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`);

function outcome(s) {
  if (s.skipped) return `skipped (${s.skipped})`;
  if (s.timedOut) return 'timed out';
  if (s.signal) return `crashed (${s.signal})`;
  if (s.rc !== 0 && s.json.length === 0) return `failed (rc ${s.rc}): ${lastLine(s.stderrTail)}`;
  return undefined;
}
const lastLine = (t) => (t ?? '').trim().split('\n').pop()?.slice(0, 160) ?? '';

function placementCell(p, provider) {
  if (!p) return '—';
  const on = p[provider]?.nodes ?? 0;
  const off = Object.entries(p)
    .filter(([k]) => k !== provider)
    .map(([k, v]) => `${k} ${v.nodes}`);
  return [`${provider} ${on}`, ...off].join(', ');
}

function summary() {
  const lines = [
    `# GPU verification: ${gpu} beside cpu`,
    '',
    `${report.started}, ${report.machine.cpus} CPUs (${report.machine.cpuModel}), Node ${report.node}; ` +
      `${(report.elapsedS ?? 0).toFixed(0)} s of a ${report.deadlineS} s budget.`,
    '',
  ];
  const gpuName = report.steps.find((s) => s.id === 'probe-nvidia-smi');
  if (gpuName?.rc === 0) lines.push(`GPU: ${gpuName.stdoutTail?.trim()}`, '');
  const backends = report.steps.find((s) => s.id === 'probe-backends')?.json?.[0]?.backends;
  if (backends)
    lines.push(
      `onnxruntime-node backends: ${backends.map((b) => `${b.name}${b.bundled ? '' : ' (not bundled)'}`).join(', ')}`,
      '',
    );

  lines.push(
    '## Parity: the same calls on ' + gpu + ' and on the CPU (model-check --against cpu)',
    '',
    '| model | nodes (provider: count) | golden max \\|ort − torch\\| | top-1 agreement | max \\|Δlogit\\| | within 1e-2 |',
    '|---|---|---|---|---|---|',
  );
  for (const s of report.steps.filter((x) => x.id.startsWith('parity '))) {
    const id = s.id.slice('parity '.length);
    const bad = outcome(s);
    const r = s.json?.[0];
    if (bad || !r) {
      lines.push(`| ${id} | ${bad ?? 'no report'} | | | | |`);
      continue;
    }
    const golden = r.cases.length ? fmt(Math.max(...r.cases.map((c) => c.maxAbsDiff))) : '—';
    const p = r.parity;
    lines.push(
      `| ${id} | ${placementCell(r.placement, r.provider)} | ${golden} | ` +
        `${p ? `${p.top1Agree}/${p.rows}` : '—'} | ${fmt(p?.maxAbsDiff)} | ${p?.ok ? 'yes' : 'no'} |`,
    );
  }

  lines.push(
    '',
    '## Speed (engine-bench: cold prefill, 64 edited tokens on the cached rest, decoding)',
    '',
    '| model | provider | context | cold prefill | 64-token edit | decode at depth | decode at 0 | nodes |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const s of report.steps.filter((x) => x.id.startsWith('speed '))) {
    const [, model, provider, context] = s.id.split(' ');
    const bad = outcome(s);
    const r = s.json?.[0];
    if (bad || !r) {
      lines.push(`| ${model} | ${provider} | ${context} | ${bad ?? 'no row'} | | | | |`);
      continue;
    }
    lines.push(
      `| ${model} | ${r.ep} | ${r.context} | ${ms(r.coldPrefillMs)} | ${ms(r.warmPrefillMs)} | ` +
        `${ms(r.decodeMsPerTokenAtDepth)}/token | ${ms(r.decodeMsPerTokenAtZero)}/token | ` +
        `${placementCell(r.placement, r.ep)} |`,
    );
  }

  const at32 = report.steps.find((s) => s.id === `speed small-cpu ${gpu} 32768`)?.json?.[0];
  lines.push(
    '',
    '## Goals (small-cpu on ' + gpu + ' at 32k)',
    '',
    `- cold prefill < 1 s: ${at32 ? `${ms(at32.coldPrefillMs)} — ${at32.coldPrefillMs < 1000 ? 'met' : 'not met'}` : 'not measured'}`,
    `- 64-token edit < 30 ms: ${at32 ? `${ms(at32.warmPrefillMs)} — ${at32.warmPrefillMs < 30 ? 'met' : 'not met'}` : 'not measured'}`,
    '',
  );
  const failed = report.steps.filter((s) => outcome(s) && !s.skipped);
  if (failed.length) {
    lines.push('## Steps that did not finish', '');
    for (const s of failed) lines.push(`- ${s.id}: ${outcome(s)}`);
    lines.push('');
  }
  return lines.join('\n');
}

// --- run -----------------------------------------------------------------------------------------

log(`verify: provider ${gpu}, deadline ${opts.deadline} s, steps ${[...only].join(', ')}`);
save();
await probe();
if (only.has('parity')) await parity();
if (only.has('speed')) await speed();
if (only.has('big')) await big();
report.finished = true;
save();
log(`verify: done in ${((Date.now() - started) / 1000).toFixed(0)} s; ${out}/summary.md`);
