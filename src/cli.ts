// The `ropewalk` command line: the same core as the extension, from a terminal.

import { resolve } from 'node:path';
import { checkModel } from './model/model-check';
import { defaultModelDir } from './model/model-location';

const USAGE = `usage: ropewalk <command> [options]

commands:
  model-check [DIR] [--json]   load a model and replay its golden cases (parity with PyTorch,
                               prefix reuse from the cache); DIR defaults to the bundled model
`;

async function modelCheck(args: string[]): Promise<number> {
  const dir = resolve(args.find((a) => !a.startsWith('--')) ?? defaultModelDir());
  const report = await checkModel(dir);
  if (args.includes('--json')) {
    console.log(JSON.stringify(report));
  } else {
    console.log(`${report.model}: ${(report.parameters / 1e6).toFixed(2)}M parameters, loaded in ${report.loadMs.toFixed(0)} ms`);
    for (const c of report.cases) {
      const reuse = c.reuseMaxAbsDiff === undefined ? '' : `, reused cache vs cold ${c.reuseMaxAbsDiff.toExponential(2)}`;
      console.log(`  ${c.name.padEnd(14)} max |ort − torch| ${c.maxAbsDiff.toExponential(2)}${reuse}`);
    }
    console.log(report.ok ? `ok (tolerance ${report.tolerance})` : `FAILED (tolerance ${report.tolerance})`);
  }
  return report.ok ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'model-check':
      return modelCheck(rest);
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`ropewalk: ${error.message}\n`);
    process.exit(1);
  },
);
