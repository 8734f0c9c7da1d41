// The repository side of the options: the index a command builds and the cursor it works at.

import { availableParallelism, homedir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { RepoIndex } from '../context/repo-index';
import { readSourceFile } from '../context/source-file';
import { defaultGrammarsDir, SyntaxLoader } from '../context/syntax';
import { splitAt } from '../packing/fim';
import type { ParsedArgs } from './args';
import { requireFile } from './paths';

/** The repository index with the CLI's options: workers, file cap, persisted cache (never in the repository). */
export function buildIndex(root: string, args: ParsedArgs) {
  const grammarsDir = defaultGrammarsDir();
  return RepoIndex.build(root, new SyntaxLoader(grammarsDir), {
    maxFiles: args.int('max-files'),
    workers: args.has('workers') ? args.int('workers') : availableParallelism(),
    // The bundled CLI (dist/cli.js) has the worker beside it.
    workerScript: join(__dirname, 'index-worker.js'),
    grammarsDir,
    cacheDir: args.flag('no-cache')
      ? undefined
      : (args.optionalString('cache') ?? join(homedir(), '.cache', 'ropewalk')),
  });
}

export interface Cursor {
  root: string;
  /** The file's repository path, with forward slashes. */
  path: string;
  text: string;
  offset: number;
}

/** --file relative to the current directory, which is the repository root, and --line/--column in it. */
export function cursorFrom(args: ParsedArgs): Cursor {
  const root = process.cwd();
  const file = requireFile('--file', args.string('file'));
  const text = readSourceFile(file);
  const { prefix } = splitAt(text, args.int('line'), args.int('column'));
  return { root, path: relative(root, file).split(sep).join('/'), text, offset: prefix.length };
}
