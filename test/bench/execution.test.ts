import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  detectTestCommand,
  ExecutionSandbox,
  runCommand,
  UntrustedWorkspaceError,
} from '../../src/bench/execution';
import { tempDir } from '../temp-dir';

function pythonRepo(t: TestContext): string {
  const root = tempDir('rw-exec-repo-', t);
  mkdirSync(join(root, 'tests'));
  writeFileSync(join(root, 'calc.py'), 'def add(a, b):\n    return a + b\n');
  writeFileSync(join(root, 'tests', '__init__.py'), '');
  writeFileSync(
    join(root, 'tests', 'test_calc.py'),
    'import unittest\nfrom calc import add\n\n\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n',
  );
  return root;
}

const unittestCommand = {
  argv: ['python3', '-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'],
  reason: 'test',
};

test('completions are tested on a scratch copy: right passes, wrong fails, the repository is never written', async (t) => {
  const root = pythonRepo(t);
  assert.equal(detectTestCommand(root)?.reason, 'a tests folder (pytest)');
  assert.throws(
    () => ExecutionSandbox.create(root, unittestCommand, { trusted: false }),
    UntrustedWorkspaceError,
  );
  const sandbox = ExecutionSandbox.create(root, unittestCommand, {
    trusted: true,
    timeoutMs: 20_000,
  });
  try {
    assert.equal((await sandbox.baseline()).passed, true);
    assert.equal(
      (await sandbox.passes('calc.py', 'def add(a, b):\n    return a + b\n')).passed,
      true,
    );
    assert.equal(
      (await sandbox.passes('calc.py', 'def add(a, b):\n    return a - b\n')).passed,
      false,
    );
    assert.equal(readFileSync(join(root, 'calc.py'), 'utf8'), 'def add(a, b):\n    return a + b\n');
    assert.equal(
      readFileSync(join(sandbox.dir, 'calc.py'), 'utf8'),
      'def add(a, b):\n    return a + b\n',
    );
    await assert.rejects(sandbox.passes('../outside.py', 'x'), RangeError);
  } finally {
    sandbox.dispose();
  }
});

test('a test command past its time limit is killed and fails', async () => {
  const r = await runCommand(['sleep', '5'], tmpdir(), 200);
  assert.equal(r.timedOut, true);
  assert.equal(r.passed, false);
  assert.ok(r.ms < 3000);
});
