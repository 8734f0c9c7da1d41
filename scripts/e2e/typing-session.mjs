// A typing session in the real editor: keystroke-to-ghost-text latency as a person would see it.
//
//   node scripts/build.mjs && node scripts/e2e/typing-session.mjs [--keys 80] [--pause-ms 150] [--wait-ms 2000]
//        [--file shapes/square.py] [--fixture test/fixtures/pyrepo] [--budget TOKENS]
//
// --budget sets ropewalk.contextBudget (0: the device's default). After the session the extension's log
// gives the engine's side: requests that reached the model, prompt tokens, and how many of them the KV
// cache already held (a request counts as warm when at least 90% of its prompt was cached).
//
// Types a Python snippet at the end of a file of a copied fixture, one key at a time; after each key it polls
// the DOM for ghost text (every 5 ms, up to --wait-ms) and then pauses. The latency includes the browser
// round trip of the key press; ghost text still shown from the key before counts at once, as it does
// for a person. Prints a table and writes typing-session.json into $E2E_OUT (default test/e2e/out).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../dev-tools.mjs';
import { hostTarget, packageTarget } from '../package.mjs';
import { ropewalkLog, startSession } from './harness.mjs';
import { openFile, waitForGhostText, waitForModelReady } from './workbench.mjs';

const SNIPPET = [
  '',
  '    def perimeter(self) -> float:',
  '        return 4 * self.side',
  '',
  '    def describe(self) -> str:',
  '        return f"{self.name} with side {self.side} m and area {self.area()}"',
];

function parseArgs(argv) {
  const opts = {
    keys: 80,
    pauseMs: 150,
    waitMs: 2000,
    budget: 0,
    file: 'shapes/square.py',
    fixture: join(repoRoot, 'test', 'fixtures', 'pyrepo'),
  };
  const numbers = {
    '--keys': 'keys',
    '--pause-ms': 'pauseMs',
    '--wait-ms': 'waitMs',
    '--budget': 'budget',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a in numbers) opts[numbers[a]] = Number(argv[++i]);
    else if (a === '--file') opts.file = argv[++i];
    else if (a === '--fixture') opts.fixture = resolve(argv[++i]);
    else throw new Error(`unknown argument '${a}'`);
  }
  return opts;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Keys of the snippet, repeated until `n`: characters, and 'Enter' between lines. */
function keystrokes(n) {
  const keys = [];
  while (keys.length < n) {
    for (const [i, line] of SNIPPET.entries()) {
      if (i > 0) keys.push('Enter');
      keys.push(...line);
    }
  }
  return keys.slice(0, n);
}

/** The extension's own account of the session, from its log: one line per request that reached the model. */
function engineSide(tmp) {
  const rows = ropewalkLog(tmp)
    .split('\n')
    .map((l) => /completion in (\d+) ms, (\d+) prompt tokens \((\d+) cached\)/.exec(l))
    .filter(Boolean)
    .map((m) => ({ ms: Number(m[1]), prompt: Number(m[2]), cached: Number(m[3]) }));
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  const warm = rows.filter((r) => r.cached >= 0.9 * r.prompt).length;
  return {
    engineRequests: rows.length,
    warmRequests: warm,
    warmShare: rows.length ? warm / rows.length : NaN,
    promptTokensP50: percentile(
      rows.map((r) => r.prompt).sort((a, b) => a - b),
      50,
    ),
    engineLatencyP50Ms: percentile(ms, 50),
    engineLatencyP95Ms: percentile(ms, 95),
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const outDir = process.env.E2E_OUT || join(repoRoot, 'test', 'e2e', 'out');
  mkdirSync(outDir, { recursive: true });
  const vsix =
    process.env.E2E_VSIX ||
    packageTarget(hostTarget(), join(repoRoot, 'out', 'vsix'), () => {}, { quiet: true });
  const session = await startSession({
    vsix,
    fixture: opts.fixture,
    outDir: join(outDir, 'typing-session'),
    settings: { 'ropewalk.contextBudget': opts.budget },
  });
  const samples = [];
  let engine;
  try {
    await waitForModelReady(session.page);
    await openFile(session.page, opts.file);
    await session.page.keyboard.press('Control+End');
    for (const key of keystrokes(opts.keys)) {
      const t0 = performance.now();
      await session.page.keyboard.press(key === ' ' ? 'Space' : key);
      const shown = await waitForGhostText(session.page, opts.waitMs, 5, t0);
      samples.push({ key, ms: shown?.ms });
      await session.page.waitForTimeout(opts.pauseMs);
    }
    await session.screenshot('typing-session-end');
    engine = engineSide(session.tmp);
  } finally {
    await session.close();
  }
  const latencies = samples
    .filter((s) => s.ms !== undefined)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  const summary = {
    keystrokes: samples.length,
    withGhostText: latencies.length,
    withoutGhostText: samples.length - latencies.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    maxMs: latencies.at(-1) ?? NaN,
    pauseMs: opts.pauseMs,
    waitMs: opts.waitMs,
    budget: opts.budget,
    ...engine,
  };
  writeFileSync(
    join(outDir, 'typing-session.json'),
    JSON.stringify({ summary, samples, file: opts.file, vsix }, null, 2) + '\n',
  );
  const f = (ms) => (Number.isNaN(ms) ? '–' : `${ms.toFixed(0)} ms`);
  console.log(
    '| keystrokes | with ghost text | without (within wait) | p50 | p95 | max |\n|---|---|---|---|---|---|',
  );
  console.log(
    `| ${summary.keystrokes} | ${summary.withGhostText} | ${summary.withoutGhostText} (${opts.waitMs} ms) | ${f(summary.p50Ms)} | ${f(summary.p95Ms)} | ${f(summary.maxMs)} |`,
  );
  if (engine) {
    console.log(
      `\nengine: ${engine.engineRequests} requests reached the model (the rest were served from the result cache, debounced or cancelled); ` +
        `prompt ${engine.promptTokensP50} tokens (p50); ${engine.warmRequests} of them warm (≥ 90% of the prompt in the KV cache, ` +
        `${(100 * engine.warmShare).toFixed(0)}%); model latency p50 ${f(engine.engineLatencyP50Ms)}, p95 ${f(engine.engineLatencyP95Ms)}`,
    );
  }
}

main().catch((error) => {
  console.error(`typing session failed: ${error.message}`);
  process.exitCode = 1;
});
