import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../repo-root';
import { tempDir } from '../temp-dir';

const cli = join(repoRoot(), 'dist', 'cli.js');
const gguf = join(repoRoot(), 'test', 'fixtures', 'gguf-ref', 'qwen2-tiny-f32.gguf');

function run(args: string[], cache: string) {
  // The imported model goes to a scratch cache, never the user's.
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: cache },
  });
}

const GENERATE = [
  'generate',
  '--model',
  gguf,
  '--provider',
  'cpu',
  '--prompt',
  'def add(a, b):\n    return',
  '--max-tokens',
  '8',
  '--json',
];

test('generate continues a prompt greedily from a GGUF file, with its ids in --json', (t) => {
  const cache = tempDir('rw-gen-', t);
  const r = run(GENERATE, cache);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    ids: number[];
    promptIds: number[];
    text: string;
    rope: { method: string };
  };
  assert.ok(out.promptIds.length > 3);
  assert.equal(out.ids.length, 8);
  assert.equal(out.rope.method, 'none', 'within the training length nothing is scaled');
  // Greedy: the same call gives the same tokens.
  const again = JSON.parse(run(GENERATE, cache).stdout) as { ids: number[] };
  assert.deepEqual(again.ids, out.ids);
  assert.equal(
    run(['generate', '--model', gguf, '--max-tokens', '8'], cache).status,
    2,
    'no prompt is a usage error',
  );
});

test('score gives each token a log-probability and the mean NLL', (t) => {
  const cache = tempDir('rw-score-', t);
  const r = run(
    [
      'score',
      '--model',
      gguf,
      '--provider',
      'cpu',
      '--file',
      join(repoRoot(), 'test', 'fixtures', 'pyrepo', 'shapes', 'square.py'),
      '--json',
    ],
    cache,
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    tokens: number;
    meanNll: number;
    top1Rate: number;
    scores: { logProb: number; top1: number; id: number }[];
  };
  assert.equal(out.scores.length, out.tokens - 1);
  assert.ok(out.scores.every((s) => s.logProb <= 0));
  const mean = -out.scores.reduce((a, s) => a + s.logProb, 0) / out.scores.length;
  assert.ok(Math.abs(mean - out.meanNll) < 1e-9);
  assert.equal(out.top1Rate, out.scores.filter((s) => s.top1 === s.id).length / out.scores.length);
});
