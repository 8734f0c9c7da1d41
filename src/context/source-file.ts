// Reads a source file for completion, refusing what is not text: binary, non-UTF-8 or huge files.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

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
  if (size > MAX_SOURCE_BYTES) throw new UnreadableSourceError(`${path} is ${(size / 1e6).toFixed(1)} MB; files over ${MAX_SOURCE_BYTES / 1e6} MB are not completed`);
  const bytes = readFileSync(path);
  if (bytes.includes(0)) throw new UnreadableSourceError(`${path} looks binary (it contains NUL bytes)`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new UnreadableSourceError(`${path} is not valid UTF-8`, { cause });
  }
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'out', '__pycache__', '.venv', 'venv']);

/** Source files under `root` with one of `extensions`, sorted, at most `limit`; unreadable ones skipped. */
export function listSourceFiles(root: string, extensions: string[], limit = 10_000): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string, rel: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (out.length >= limit) return;
      if (e.name.startsWith('.') || SKIP_DIRS.has(e.name)) continue;
      const path = join(dir, e.name);
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path, relPath);
      else if (e.isFile() && extensions.some((x) => e.name.endsWith(x))) {
        try {
          out.push({ path: relPath, text: readSourceFile(path) });
        } catch {
          // Binary, huge or non-UTF-8: not a prompt source.
        }
      }
    }
  };
  walk(root, '');
  return out;
}
