// The command table and what `ropewalk ARGS` does with them: help, checked options, one-line errors.

import { asksForHelp, parseArgs, UsageError, type Command } from './args';
import { benchCommand } from './bench';
import { completeCommand } from './complete';
import { contextCommand } from './context';
import { contextBenchCommand } from './context-bench';
import { engineBenchCommand } from './engine-bench';
import { exportGgufCommand } from './export-gguf';
import { generateCommand, scoreCommand } from './generate';
import { indexCommand } from './index-command';
import { modelCheckCommand } from './model-check';
import { modelsCommand } from './models';
import { reuseBenchCommand } from './reuse-bench';
import { tokenizerJsonCommand } from './tokenizer-json';
import { commandList, commandUsage } from './usage';

export const COMMANDS: readonly Command[] = [
  completeCommand,
  contextCommand,
  indexCommand,
  contextBenchCommand,
  engineBenchCommand,
  reuseBenchCommand,
  benchCommand,
  modelCheckCommand,
  generateCommand,
  scoreCommand,
  modelsCommand,
  exportGgufCommand,
  tokenizerJsonCommand,
];

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CliOutput = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

function find(name: string): Command | undefined {
  return COMMANDS.find((c) => c.spec.name === name);
}

/** `ropewalk help [CMD]`: the list, or one command's usage; exit 2 for a command that does not exist. */
function help(topic: string | undefined, io: CliOutput): number {
  const specs = COMMANDS.map((c) => c.spec);
  if (topic === undefined) {
    io.out(commandList(specs));
    return 0;
  }
  const command = find(topic);
  if (!command) {
    io.err(`ropewalk help: unknown command '${topic}'\nsee 'ropewalk help'\n`);
    return 2;
  }
  io.out(commandUsage(command.spec));
  return 0;
}

/** Runs one command line; the exit code: 0 ok, 1 failed (bad paths included), 2 bad usage, 130 interrupted. */
export async function runCli(
  argv: readonly string[],
  io: CliOutput = processOutput,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(commandList(COMMANDS.map((c) => c.spec)));
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') return help(rest[0], io);
  const command = find(name);
  if (!command) {
    io.err(`ropewalk: unknown command '${name}'\nsee 'ropewalk help'\n`);
    return 2;
  }
  if (asksForHelp(rest)) {
    io.out(commandUsage(command.spec));
    return 0;
  }
  try {
    return await command.run(parseArgs(command.spec, rest));
  } catch (error) {
    const e = error as Error;
    io.err(`ropewalk ${name}: ${e.message}\n`);
    if (e instanceof UsageError) {
      io.err(`see 'ropewalk help ${name}'\n`);
      return 2;
    }
    return 1;
  }
}
