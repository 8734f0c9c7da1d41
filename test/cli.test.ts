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
