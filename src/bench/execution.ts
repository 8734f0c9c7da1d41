// Execution-based pass@1: the repository's tests run on a scratch copy with the completion written
// into the hole, under a time limit. The user's files are never written; nothing runs unless the
// caller says the workspace is trusted (running tests runs the repository's code).

import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

export class UntrustedWorkspaceError extends Error {
  override readonly name = 'UntrustedWorkspaceError';
}

export interface TestCommand {
  /** argv: the program and its arguments (no shell). */
  argv: string[];
  /** Why this command (detected from what file). */
  reason: string;
}

/** The repository's test command, when it has an obvious one: `npm test` with a test script, pytest/unittest with a tests folder. */
export function detectTestCommand(root: string): TestCommand | undefined {
  const pkg = join(root, 'package.json');
  if (existsSync(pkg)) {
    try {
      const test = (JSON.parse(readFileSync(pkg, 'utf8')) as { scripts?: Record<string, string> })
        .scripts?.test;
      if (test && !/no test specified/.test(test) && existsSync(join(root, 'node_modules')))
        return { argv: ['npm', 'test', '--silent'], reason: 'package.json scripts.test' };
    } catch {
      // not JSON: no npm tests
    }
  }
  const hasPyTests =
    ['tests', 'test'].some((d) => existsSync(join(root, d))) ||
    existsSync(join(root, 'pytest.ini')) ||
    existsSync(join(root, 'setup.cfg'));
  if (hasPyTests)
    return {
      argv: ['python3', '-m', 'pytest', '-x', '-q', '-p', 'no:cacheprovider'],
      reason: 'a tests folder (pytest)',
    };
  return undefined;
}

export interface RunResult {
  passed: boolean;
  timedOut: boolean;
  ms: number;
}

/** Runs argv in cwd, killing its whole process group past the limit. */
export function runCommand(argv: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd,
      stdio: 'ignore',
      detached: true,
      env: { ...process.env, CI: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    const done = (code: number | null) => {
      clearTimeout(timer);
      resolve({ passed: code === 0 && !timedOut, timedOut, ms: performance.now() - t0 });
    };
    child.on('exit', done);
    child.on('error', () => done(null));
  });
}

/**
 * A scratch copy of the repository for running its tests with completions written in. The baseline
 * (the tests on the untouched copy) must pass, or pass@1 would measure the repository, not the model.
 */
export class ExecutionSandbox {
  private constructor(
    readonly dir: string,
    private readonly root: string,
    readonly command: TestCommand,
    private readonly timeoutMs: number,
  ) {}

  static create(
    root: string,
    command: TestCommand,
    options: { trusted: boolean; timeoutMs?: number },
  ): ExecutionSandbox {
    if (!options.trusted)
      throw new UntrustedWorkspaceError("running the repository's tests needs a trusted workspace");
    const dir = mkdtempSync(join(tmpdir(), 'ropewalk-exec-'));
    cpSync(root, dir, {
      recursive: true,
      filter: (src) => {
        const rel = relative(root, src).split(sep);
        return !rel.includes('.git') && !rel.includes('node_modules');
      },
    });
    // Dependencies are read, not written, by tests: linked rather than copied.
    if (existsSync(join(root, 'node_modules')))
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return new ExecutionSandbox(dir, root, command, options.timeoutMs ?? 120_000);
  }

  baseline(): Promise<RunResult> {
    return runCommand(this.command.argv, this.dir, this.timeoutMs);
  }

  /** Runs the tests with `path` holding `text`, then puts the original back. */
  async passes(path: string, text: string): Promise<RunResult> {
    const target = join(this.dir, path);
    if (relative(this.dir, target).startsWith('..'))
      throw new RangeError(`${path} is outside the repository`);
    const original = readFileSync(join(this.root, path));
    writeFileSync(target, text);
    try {
      return await runCommand(this.command.argv, this.dir, this.timeoutMs);
    } finally {
      writeFileSync(target, original);
    }
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
