// The `ropewalk` executable (bundled as dist/cli.js): runs the command line and exits with its code.

import { runCli } from './dispatch';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`ropewalk: ${error.message}\n`);
    process.exit(1);
  },
);
