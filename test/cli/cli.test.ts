import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isBenchEvent, type BenchEvent } from '../../src/bench/bench-protocol';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';
import { committedModel } from '../test-models';
import { writeLoadableV2Folder } from '../model/v2-folder';

const root = repoRoot();
const tiny = committedModel('tiny');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });

test('ropewalk model-check --json reports every golden case within tolerance', () => {
  const r = cli('model-check', tiny, '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.cases.length, 5);
});

test('ropewalk model-check says which KV cache it loaded, and refuses an fp16 cache of a model without one', async (t) => {
  const r = cli('model-check', join(root, 'models', 'tiny'), '--kv-type', 'float32');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /on cpu, KV cache float32 \(as set; /);
  // A contract-2 folder has the float32 graph only (Ropewalk's own models are GGUF files now: both).
  const v2 = await writeLoadableV2Folder(tempDir('rw-cli-v2-', t));
  const fp16 = cli('model-check', v2, '--kv-type', 'float16');
  assert.equal(fp16.status, 1);
  assert.match(
    fp16.stderr,
    /a float16 KV cache was asked for, but the model at .* has graphs for float32 only/,
  );
});

test('ropewalk with an unknown command or a missing model exits non-zero with a message', () => {
  const unknown = cli('frobnicate');
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stderr, "ropewalk: unknown command 'frobnicate'\nsee 'ropewalk help'\n");
  const missing = cli('model-check', join(root, 'nowhere'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /No Ropewalk model/);
});

test('ropewalk complete prints a completion for a position given from 1, and rejects bad positions', () => {
  const file = join(root, 'test', 'fixtures', 'shapes.py');
  const r = cli(
    'complete',
    '--file',
    file,
    '--line',
    '6',
    '--column',
    '9',
    '--model',
    tiny,
    '--max-tokens',
    '4',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(typeof out.completion, 'string');
  assert.ok(out.tokens.length <= 4 && out.promptTokens > 10);
  const bad = cli('complete', '--file', file, '--line', '999', '--column', '1', '--model', tiny);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /line 999 is outside the file/);
});

test('ropewalk engine-bench --json prints one row per context with every field', () => {
  const r = cli(
    'engine-bench',
    '--model',
    tiny,
    '--context',
    '96,160',
    '--edit-tokens',
    '16',
    '--chunk',
    '64',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    rows.map((x) => x.context),
    [96, 160],
  );
  for (const row of rows) {
    for (const key of [
      'ep',
      'coldPrefillMs',
      'warmPrefillMs',
      'editTokens',
      'decodeMsPerTokenAtDepth',
      'decodeMsPerTokenAtZero',
      'bandwidthBoundMsPerToken',
      'peakRssMb',
    ])
      assert.ok(key in row, key);
    assert.equal(row.editTokens, 16);
    assert.ok(row.bandwidthBoundMsPerToken > 0 && Number.isFinite(row.bandwidthBoundMsPerToken));
  }
});

test('ropewalk reuse-bench measures moved-cache agreement on a folder of sources', () => {
  const r = cli(
    'reuse-bench',
    join(root, 'src'),
    '--model',
    tiny,
    '--prompts',
    '2',
    '--chunk-tokens',
    '64',
    '--provider',
    'cpu',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const row = JSON.parse(r.stdout);
  assert.equal(row.prompts, 2);
  assert.ok(row.movedTokensMean > 0);
  assert.ok(row.top1Agreement >= 0 && row.top1Agreement <= 1);
});

test('ropewalk reuse-bench --typing types lines in each order the model was trained on', () => {
  const r = cli(
    'reuse-bench',
    join(root, 'src', 'packing'),
    '--typing',
    '--model',
    join(root, 'models', 'tiny'),
    '--cursors',
    '2',
    '--keystrokes',
    '3',
    '--budget',
    '512',
    '--no-cache',
    '--workers',
    '1',
    '--provider',
    'cpu',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const { rows } = JSON.parse(r.stdout) as {
    rows: { order: string; keystrokes: number; prefillMs: { mean: number } }[];
  };
  assert.deepEqual(
    rows.map((x) => x.order),
    ['spm', 'psm'],
  );
  for (const row of rows) assert.ok(row.keystrokes === 6 && row.prefillMs.mean > 0);
});

test('ropewalk index and context run on a fixture repository, without writing into it', () => {
  const repo = join(root, 'test', 'fixtures', 'pyrepo');
  const idx = cli('index', repo, '--no-cache', '--json');
  assert.equal(idx.status, 0, idx.stderr);
  const stats = JSON.parse(idx.stdout);
  assert.equal(stats.files, 5);
  assert.equal(stats.resolvedImports, 4);
  const ctx = spawnSync(
    process.execPath,
    [
      join(root, 'dist', 'cli.js'),
      'context',
      '--file',
      'tests/test_square.py',
      '--line',
      '6',
      '--column',
      '22',
      '--budget',
      '1024',
      '--no-cache',
      '--json',
      '--model',
      tiny,
    ],
    { encoding: 'utf8', cwd: repo },
  );
  assert.equal(ctx.status, 0, ctx.stderr);
  const out = JSON.parse(ctx.stdout);
  assert.ok(
    out.proposals.some(
      (p: { type: string; source: string }) =>
        p.type === 'definition' && p.source === 'shapes/square.py',
    ),
  );
  assert.match(out.prompt, /<\|fim_middle\|>$/);
  assert.ok(out.tokens <= 1024);
  assert.equal(
    spawnSync('git', ['status', '--porcelain', repo], { encoding: 'utf8', cwd: root }).stdout,
    '',
  );
});

/** The CLI forked with an IPC channel, as src/vscode/benchmark.ts runs it: its messages and stderr. */
function forkCli(
  args: string[],
): Promise<{ code: number | null; messages: BenchEvent[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = fork(join(root, 'dist', 'cli.js'), args, {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const messages: BenchEvent[] = [];
    let stderr = '';
    child.on('message', (m) => {
      if (isBenchEvent(m)) messages.push(m);
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => resolve({ code, messages, stderr }));
  });
}

test('ropewalk bench runs a small plan on a fixture repository and writes every output, then resumes', async (t) => {
  const repo = join(root, 'test', 'fixtures', 'pyrepo');
  const out = mkdtempSync(join(tmpdir(), 'rw-bench-cli-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const args = [
    'bench',
    repo,
    '--model',
    tiny,
    '--provider',
    'cpu',
    '--no-cache',
    '--out',
    out,
    '--auto-dir',
    join(out, 'auto'),
    '--budgets',
    '256,512',
    '--rope',
    'none,yarn',
    '--strategies',
    'infile,ast',
    '--levels',
    'line,expression',
    '--samples',
    '2',
    '--max-tokens',
    '4',
    '--needle-lengths',
    '200,400',
    '--needle-depths',
    '0,1',
    '--needle-trials',
    '1',
    '--ppl-lengths',
    '128',
    '--ppl-windows',
    '1',
  ];
  const r = cli(...args);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /planned: 2 tasks/);
  assert.match(r.stderr, /estimated time: /);
  for (const f of [
    'summary.json',
    'summary.csv',
    'summary.md',
    'report.html',
    'report.json',
    'needle.json',
    'perplexity.json',
    'auto.json',
    'results.jsonl',
    'charts/editSimilarity-ast.svg',
  ]) {
    assert.ok(existsSync(join(out, f)), f);
  }
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  const all = summary.filter((row: { level: string }) => row.level === 'all');
  assert.equal(all.length, 2 * 2 * 2);
  for (const row of summary)
    assert.deepEqual(Object.keys(row), [
      'strategy',
      'rope',
      'budget',
      'level',
      'n',
      'exactMatch',
      'editSimilarity',
      'identifierMatch',
      'passAt1',
      'meanLatencyMs',
    ]);
  assert.ok(existsSync(join(out, 'auto', 'ropewalk-tiny.json')));
  assert.match(
    readFileSync(join(out, 'report.html'), 'utf8'),
    /<script type="application\/json" id="ropewalk-bench-data">/,
  );
  // The rerun is forked as the extension does: its progress comes as typed messages, in order.
  const again = await forkCli(args);
  assert.equal(again.code, 0, again.stderr);
  const types = again.messages.map((m) => m.type);
  assert.equal(types[0], 'plan');
  assert.ok(types.indexOf('estimate') > 0 && types.indexOf('estimate') < types.indexOf('done'));
  assert.equal(types.at(-1), 'done');
  const estimate = again.messages.find((m) => m.type === 'estimate');
  assert.equal(estimate?.type === 'estimate' && estimate.pending, 0);
  const done = again.messages.at(-1);
  assert.deepEqual(done?.type === 'done' && [done.report, done.cancelled], [
    join(out, 'report.json'),
    false,
  ]);
  assert.ok(again.messages.some((m) => m.type === 'log' && /^planned: 2 tasks/.test(m.line)));
  assert.doesNotMatch(again.stderr, /planned:|\[prepare\]/);
});
