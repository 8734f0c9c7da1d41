import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './repo-root';

const root = repoRoot();
const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });

test('ropewalk model-check --json reports every golden case within tolerance', () => {
  const r = cli('model-check', join(root, 'models', 'tiny'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.cases.length, 5);
});

test('ropewalk with an unknown command or a missing model exits non-zero with a message', () => {
  const unknown = cli('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command/);
  const missing = cli('model-check', join(root, 'nowhere'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /No Ropewalk model/);
});

test('ropewalk complete prints a completion for a position given from 1, and rejects bad positions', () => {
  const file = join(root, 'test', 'fixtures', 'shapes.py');
  const r = cli('complete', '--file', file, '--line', '6', '--column', '9', '--model', join(root, 'models', 'tiny'), '--max-tokens', '4', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(typeof out.completion, 'string');
  assert.ok(out.tokens.length <= 4 && out.promptTokens > 10);
  const bad = cli('complete', '--file', file, '--line', '999', '--column', '1', '--model', join(root, 'models', 'tiny'));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /line 999 is outside the file/);
  const usage = cli('complete', '--line', '1');
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--file is required/);
});

test('ropewalk engine-bench --json prints one row per context with every field', () => {
  const r = cli('engine-bench', '--model', join(root, 'models', 'tiny'), '--context', '96,160', '--edit-tokens', '16', '--chunk', '64', '--json');
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((x) => x.context), [96, 160]);
  for (const row of rows) {
    for (const key of ['ep', 'coldPrefillMs', 'warmPrefillMs', 'editTokens', 'decodeMsPerTokenAtDepth',
      'decodeMsPerTokenAtZero', 'bandwidthBoundMsPerToken', 'peakRssMb']) assert.ok(key in row, key);
    assert.equal(row.editTokens, 16);
    assert.ok(row.bandwidthBoundMsPerToken > 0 && Number.isFinite(row.bandwidthBoundMsPerToken));
  }
});

test('ropewalk reuse-bench measures moved-cache agreement on a folder of sources', () => {
  const r = cli('reuse-bench', join(root, 'src'), '--model', join(root, 'models', 'tiny'), '--prompts', '2', '--chunk-tokens', '64', '--provider', 'cpu', '--json');
  assert.equal(r.status, 0, r.stderr);
  const row = JSON.parse(r.stdout);
  assert.equal(row.prompts, 2);
  assert.ok(row.movedTokensMean > 0);
  assert.ok(row.top1Agreement >= 0 && row.top1Agreement <= 1);
});

test('ropewalk index and context run on a fixture repository, without writing into it', () => {
  const repo = join(root, 'test', 'fixtures', 'pyrepo');
  const idx = cli('index', repo, '--no-cache', '--json');
  assert.equal(idx.status, 0, idx.stderr);
  const stats = JSON.parse(idx.stdout);
  assert.equal(stats.files, 5);
  assert.equal(stats.resolvedImports, 4);
  const ctx = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'context', '--file', 'tests/test_square.py', '--line', '6', '--column', '22',
    '--budget', '1024', '--no-cache', '--json', '--model', join(root, 'models', 'tiny')], { encoding: 'utf8', cwd: repo });
  assert.equal(ctx.status, 0, ctx.stderr);
  const out = JSON.parse(ctx.stdout);
  assert.ok(out.proposals.some((p: { type: string; source: string }) => p.type === 'definition' && p.source === 'shapes/square.py'));
  assert.match(out.prompt, /<\|fim_middle\|>$/);
  assert.ok(out.tokens <= 1024);
  assert.equal(spawnSync('git', ['status', '--porcelain', repo], { encoding: 'utf8', cwd: root }).stdout, '');
});
