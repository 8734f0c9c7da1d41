// The persisted repository index: a gzipped JSON-lines file per repository root, in a folder of the
// caller's choosing (never the repository), read and written as a stream.

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { IndexedFile } from './repo-index';

const CACHE_VERSION = 2;

export function cachePath(cacheDir: string, root: string): string {
  return join(
    cacheDir,
    `index-${createHash('sha1').update(root).digest('hex').slice(0, 16)}.json.gz`,
  );
}

/**
 * The persisted index, one JSON line per file after a header line, gzipped. Read and written as a
 * stream: one document holding a large repository's index would double the memory it takes.
 */
export async function readCache(file: string): Promise<Map<string, IndexedFile>> {
  const files = new Map<string, IndexedFile>();
  if (!existsSync(file)) return files;
  try {
    const lines = createInterface({
      input: createReadStream(file).pipe(createGunzip()),
      crlfDelay: Infinity,
    });
    let header = true;
    for await (const line of lines) {
      if (header) {
        if ((JSON.parse(line) as { version?: number }).version !== CACHE_VERSION) return new Map();
        header = false;
      } else if (line) {
        const f = JSON.parse(line) as IndexedFile;
        files.set(f.path, f);
      }
    }
    return files;
  } catch {
    return new Map(); // corrupt or truncated: start over
  }
}

export async function writeCache(file: string, files: Iterable<IndexedFile>): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const gzip = createGzip();
  const done = pipeline(gzip, createWriteStream(tmp));
  const write = (line: string) =>
    gzip.write(line + '\n') ? Promise.resolve() : once(gzip, 'drain').then(() => undefined);
  try {
    await write(JSON.stringify({ version: CACHE_VERSION }));
    for (const f of files) await write(JSON.stringify(f));
    gzip.end();
    await done;
    renameSync(tmp, file); // never a half-written cache
  } catch (error) {
    gzip.destroy();
    await done.catch(() => undefined); // the file stream is closed before it is removed
    rmSync(tmp, { force: true }); // a failed write leaves no partial file beside the cache
    throw error;
  }
}
