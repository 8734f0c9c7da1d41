// Checks of the files and folders a user names, so that errors say which path is wrong and how.

import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/** What the user pointed at is missing, of the wrong kind, or has nothing to work on: exit 1, named. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

function kindOf(path: string): 'file' | 'folder' | 'other' | 'missing' {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

/** The absolute path of a folder operand (a repository); `given` is how the user wrote it. */
export function requireFolder(given: string): string {
  const path = resolve(given);
  const kind = kindOf(path);
  if (kind === 'missing') throw new InputError(`no such folder: ${given}`);
  if (kind !== 'folder') throw new InputError(`not a folder: ${given}`);
  return path;
}

/** The absolute path of the file an option names, e.g. `requireFile('--file', 'src/x.py')`. */
export function requireFile(option: string, given: string): string {
  const path = resolve(given);
  const kind = kindOf(path);
  if (kind === 'missing') throw new InputError(`${option} ${given} does not exist`);
  if (kind === 'folder') throw new InputError(`${option} ${given} is a folder`);
  if (kind !== 'file') throw new InputError(`${option} ${given} is not a regular file`);
  return path;
}
