import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/dispatch';
import { repoRoot } from '../repo-root';
import { committedModel } from '../test-models';

const root = repoRoot();
const tiny = committedModel('tiny');

/** Runs the command line in this process, with what it writes captured. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

const lines = (text: string) => text.trimEnd().split('\n');

test('help for a command, as `help CMD`, `CMD --help` or `CMD -h`, prints its usage and exits 0', async () => {
  for (const argv of [
    ['help', 'complete'],
    ['complete', '--help'],
    ['complete', '--file', 'x', '-h'],
    ['complete', '--lnie', '5', '--help'],
  ]) {
    const r = await cli(...argv);
    assert.equal(r.code, 0, argv.join(' '));
    assert.match(
      r.out,
      /^usage: ropewalk complete --file F --line L --column C \[options\]/,
      argv.join(' '),
    );
    assert.match(r.out, /--budget N/);
    assert.equal(r.err, '');
  }
  const index = await cli('index', '--help');
  assert.match(index.out, /^usage: ropewalk index REPO \[options\]/);
});

test('`ropewalk help` and `--help` list the commands and exit 0; no command lists them and exits 2', async () => {
  for (const argv of [['help'], ['--help'], ['-h']]) {
    const r = await cli(...argv);
    assert.equal(r.code, 0);
    assert.match(r.out, /^ {2}context-bench {2}/m);
    assert.ok(lines(r.out).length < 20);
  }
  const none = await cli();
  assert.equal(none.code, 2);
  assert.match(none.err, /^ {2}model-check {2}/m);
  const unknown = await cli('help', 'frobnicate');
  assert.equal(unknown.code, 2);
  assert.deepEqual(lines(unknown.err), [
    "ropewalk help: unknown command 'frobnicate'",
    "see 'ropewalk help'",
  ]);
});

test('a bad option exits 2 with one line of reason and one pointing at the help, never the whole usage', async () => {
  const cases: [string[], string][] = [
    [
      ['complete', '--file', 'x.py', '--line', '1', '--column', '1', '--budget', '0'],
      'ropewalk complete: --budget must be ≥ 16, got 0',
    ],
    [
      ['complete', '--file', 'x.py', '--line', '1', '--column', '1', '--lnie', '5'],
      'ropewalk complete: unknown option --lnie',
    ],
    [['complete', '--bogus-flag'], 'ropewalk complete: unknown option --bogus-flag'],
    [
      ['complete', '--max-tokens', '0'],
      'ropewalk complete: --max-tokens must be between 1 and 4096, got 0',
    ],
    // The editor decodes greedily, and complete prints what the editor shows: no sampling temperature.
    [['complete', '--temperature', 'abc'], 'ropewalk complete: unknown option --temperature'],
    [
      ['engine-bench', '--context', 'abc'],
      "ropewalk engine-bench: --context takes an integer, got 'abc'",
    ],
    [['complete', '--line', '1'], 'ropewalk complete: --file is required'],
    [['index'], 'ropewalk index: REPO is required'],
    [
      ['bench', root, '--strategies', 'nope'],
      "ropewalk bench: --strategies takes infile, jaccard, ast, ast+jaccard; got 'nope'",
    ],
  ];
  for (const [argv, reason] of cases) {
    const r = await cli(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.deepEqual(lines(r.err), [reason, `see 'ropewalk help ${argv[0]}'`]);
    assert.equal(r.out, '');
  }
});

test('a missing repository or a folder given as --file exits 1 naming the path', async () => {
  for (const command of ['index', 'context-bench', 'bench', 'reuse-bench']) {
    const r = await cli(command, '/nonexistent-ropewalk');
    assert.equal(r.code, 1, command);
    assert.deepEqual(lines(r.err), [`ropewalk ${command}: no such folder: /nonexistent-ropewalk`]);
  }
  const file = await cli('index', join(root, 'package.json'));
  assert.equal(file.code, 1);
  assert.match(file.err, /not a folder: .*package\.json/);
  const folder = await cli(
    'complete',
    '--file',
    join(root, 'src'),
    '--line',
    '1',
    '--column',
    '1',
    '--provider',
    'cpu',
  );
  assert.equal(folder.code, 1);
  assert.deepEqual(lines(folder.err), [
    `ropewalk complete: --file ${join(root, 'src')} is a folder`,
  ]);
  const missing = await cli('context', '--file', 'no/such.py', '--line', '1', '--column', '1');
  assert.deepEqual(lines(missing.err), ['ropewalk context: --file no/such.py does not exist']);
});

test('the built CLI exits with the codes runCli returns, and context-bench says when it has no cursors', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rw-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });
  const help = run('complete', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage: ropewalk complete/);
  const bad = run('complete', '--budget', '0');
  assert.equal(bad.status, 2);
  assert.equal(
    bad.stderr,
    "ropewalk complete: --budget must be ≥ 16, got 0\nsee 'ropewalk help complete'\n",
  );
  const missing = run('index', '/nonexistent-ropewalk');
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, 'ropewalk index: no such folder: /nonexistent-ropewalk\n');
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const none = run('context-bench', empty, '--no-cache', '--model', tiny);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no usable cursors in .*empty: no source file was indexed/);
  assert.doesNotMatch(none.stdout + none.stderr, /NaN/);
  const short = join(dir, 'short');
  mkdirSync(short);
  writeFileSync(
    join(short, 'a.py'),
    Array.from({ length: 30 }, (_, i) => `x${i} = ${i}`).join('\n') + '\n',
  );
  const noLines = run('context-bench', short, '--no-cache', '--keystrokes', '40', '--model', tiny);
  assert.equal(noLines.status, 1, noLines.stderr);
  assert.match(
    noLines.stderr,
    /no usable cursors in .*short: no file has a line of 40 or more characters/,
  );
  assert.doesNotMatch(noLines.stdout, /NaN/);
});
