// `ropewalk bench --backend …`: the completion cells through an inference server, against the
// llama-server exchanges replayed on 127.0.0.1, and the option checks of a server run.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { ReportData } from '../../src/bench/report';
import type { CompletionRecord } from '../../src/bench/results';
import { loadExchanges, ReplayServer } from '../model/remote/replay-server';
import { repoRoot } from '../repo-root';

const root = repoRoot();
const pyrepo = join(root, 'test', 'fixtures', 'pyrepo');
const cliPath = join(root, 'dist', 'cli.js');
const KEY = 'sk-test-never-in-a-report';

test('ropewalk bench --backend llama-server: completion cells on the server, skipped cells and why, no key in the report', async (t) => {
  // The recorded /infill exchange has no `match`, so the replay answers every hole's request with the
  // same recorded reply (deterministic, whatever the prompt): enough to run and score every cell.
  const server = await new ReplayServer(loadExchanges('llama-server').exchanges).start();
  const out = mkdtempSync(join(tmpdir(), 'rw-bench-remote-'));
  t.after(async () => {
    await server.stop();
    rmSync(out, { recursive: true, force: true });
  });
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [
      cliPath,
      'bench',
      pyrepo,
      '--backend',
      'llama-server',
      '--endpoint',
      server.url,
      '--no-cache',
      '--out',
      out,
      '--budgets',
      '512,1024,8192',
      '--strategies',
      'infile,ast',
      '--levels',
      'line,expression',
      '--samples',
      '2',
      '--max-tokens',
      '8',
    ],
    { encoding: 'utf8', env: { ...process.env, ROPEWALK_API_KEY: KEY } },
  );
  assert.match(stderr, /planned: 2 tasks .* on llama-server at 127\.0\.0\.1:\d+/);
  assert.match(stderr, /needle: skipped \(needs the probability/);
  assert.match(stderr, /Budget 8192 left out: it does not fit/);
  assert.match(stdout, /Latency and cache use per budget/);

  const records = readFileSync(join(out, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as CompletionRecord);
  // 2 tasks × 2 budgets (8192 is beyond the server's 4096) × 2 strategies, one method: the server's.
  assert.equal(records.length, 2 * 2 * 2);
  for (const r of records) {
    assert.equal(r.kind, 'completion');
    assert.equal(r.rope, 'server');
    assert.ok([512, 1024].includes(r.budget));
    assert.ok(r.latencyMs >= 0);
    assert.equal(r.reusedTokens, 0); // the recording's timings say cache_n 0
    assert.equal(r.cacheUnknown, undefined);
    assert.ok(r.editSimilarity >= 0 && r.editSimilarity <= 1);
  }
  assert.equal(server.received.filter((r) => r.path === '/infill').length, records.length);
  // Latency as the client saw each request, not the recording's own timings (114.611 + 8.946 ms).
  assert.ok(records.every((r) => Math.abs(r.latencyMs - 123.557) > 1e-6));

  const data = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportData;
  const sv = data.meta.server;
  assert.ok(sv);
  assert.equal(sv.backend, 'llama-server');
  assert.equal(sv.host, new URL(server.url).host);
  assert.equal(sv.family, 'qwen2.5-coder');
  assert.equal(sv.contextTokens, 4096);
  assert.match(sv.model ?? '', /qwen2-tiny-q8_0\.gguf/);
  assert.deepEqual(
    sv.skipped.map((x) => x.cells),
    ['RoPE methods', 'needle', 'perplexity'],
  );
  assert.ok(sv.skipped.every((x) => x.reason.length > 20));
  assert.ok(data.meta.notes.some((n) => /RoPE-method axis does not apply/.test(n)));
  assert.deepEqual(
    data.serverRows?.map((r) => [r.budget, r.n, r.cachedShare]),
    [
      [512, 4, 0],
      [1024, 4, 0],
    ],
  );
  assert.deepEqual(data.needles, []);
  assert.deepEqual(data.perplexity, []);
  assert.ok(data.summary.every((r) => r.rope === 'server'));
  // A server's RoPE is its own: nothing is saved for the auto setting.
  assert.ok(!existsSync(join(out, 'auto.json')));
  for (const f of ['report.json', 'summary.md', 'report.html', 'results.jsonl']) {
    const text = readFileSync(join(out, f), 'utf8');
    assert.ok(!text.includes(KEY), `${f} holds the API key`);
  }
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /## Skipped cells/);
  assert.match(
    readFileSync(join(out, 'report.html'), 'utf8'),
    /"server":\{"backend":"llama-server"/,
  );
});

test('ropewalk bench --backend: --endpoint is required, and local-only options exit 2', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cliPath, 'bench', pyrepo, ...args], { encoding: 'utf8' });
  const noEndpoint = run('--backend', 'llama-server');
  assert.equal(noEndpoint.status, 2);
  assert.match(noEndpoint.stderr, /--backend llama-server needs --endpoint URL/);
  const rope = run('--backend', 'ollama', '--endpoint', 'http://127.0.0.1:9', '--rope', 'yarn');
  assert.equal(rope.status, 2);
  assert.match(rope.stderr, /--rope with --backend ollama: only for Ropewalk's own engine/);
  const needle = run(
    '--backend',
    'openai-compatible',
    '--endpoint',
    'http://127.0.0.1:9',
    '--needle-lengths',
    '512',
  );
  assert.equal(needle.status, 2);
  assert.match(needle.stderr, /--needle-lengths with --backend/);
});
