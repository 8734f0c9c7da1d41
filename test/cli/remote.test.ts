// `ropewalk complete --backend …` as a user runs it, against the exchanges recorded from a real
// llama-server replayed on 127.0.0.1; and the option checks of the remote backends.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { loadExchanges, ReplayServer } from '../model/remote/replay-server';
import { repoRoot } from '../repo-root';

const root = repoRoot();
const pyrepo = join(root, 'test', 'fixtures', 'pyrepo');
const cliPath = join(root, 'dist', 'cli.js');
const cursor = ['--file', 'shapes/square.py', '--line', '11', '--column', '27'];

test('ropewalk complete --backend llama-server: the recorded /infill exchange, the server named in --json', async () => {
  const server = await new ReplayServer(loadExchanges('llama-server').exchanges).start();
  try {
    // Asynchronous: the replay server answers from this process.
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        cliPath,
        'complete',
        ...cursor,
        '--json',
        '--backend',
        'llama-server',
        '--endpoint',
        server.url,
      ],
      { cwd: pyrepo, encoding: 'utf8' },
    );
    const j = JSON.parse(stdout) as Record<string, unknown>;
    assert.equal(j.path, '/infill');
    assert.equal(j.sentAs, 'fim parts');
    assert.equal(j.family, 'qwen2.5-coder');
    assert.equal(j.backend, 'llama-server');
    assert.match(stderr, /Qwen2\.5-Coder prompt format .*tokens estimated/);
    assert.ok(server.received.some((r) => r.path === '/props'));
  } finally {
    await server.stop();
  }
});

test('a remote --backend needs --endpoint; reuse-bench takes one only with --typing; a family must be known', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cliPath, ...args], { cwd: pyrepo, encoding: 'utf8' });
  const noEndpoint = run('complete', ...cursor, '--backend', 'ollama');
  assert.equal(noEndpoint.status, 2);
  assert.match(noEndpoint.stderr, /needs --endpoint/);
  const notTyping = run(
    'reuse-bench',
    '.',
    '--backend',
    'llama-server',
    '--endpoint',
    'http://127.0.0.1:9',
  );
  assert.equal(notTyping.status, 2);
  assert.match(notTyping.stderr, /only with --typing/);
  const family = run(
    'complete',
    ...cursor,
    '--backend',
    'llama-server',
    '--endpoint',
    'http://127.0.0.1:9',
    '--remote-family',
    'gpt',
  );
  assert.equal(family.status, 2);
  assert.match(family.stderr, /--remote-family gpt/);
  const unreachable = run(
    'complete',
    ...cursor,
    '--backend',
    'llama-server',
    '--endpoint',
    'http://127.0.0.1:9',
    '--timeout-ms',
    '2000',
  );
  assert.equal(unreachable.status, 1);
  assert.match(unreachable.stderr, /cannot reach http:\/\/127\.0\.0\.1:9/);
});
