// Reads a source file for completion, refusing what is not text: binary, non-UTF-8 or huge files.

import { readFileSync, statSync } from 'node:fs';
import { decodeText } from './repo-walk';

export class UnreadableSourceError extends Error {
  override readonly name = 'UnreadableSourceError';
}

export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

export function readSourceFile(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (cause) {
    throw new UnreadableSourceError(`cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  if (size > MAX_SOURCE_BYTES)
    throw new UnreadableSourceError(
      `${path} is ${(size / 1e6).toFixed(1)} MB; files over ${MAX_SOURCE_BYTES / 1e6} MB are not completed`,
    );
  const decoded = decodeText(readFileSync(path));
  if (!('skip' in decoded)) return decoded.text;
  throw new UnreadableSourceError(
    decoded.skip === 'binary'
      ? `${path} looks binary (it contains NUL bytes)`
      : `${path} is not valid UTF-8`,
  );
}
