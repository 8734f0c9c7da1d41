// Where models built from GGUF files are kept: one folder per source file's identity under a cache
// folder (never in the user's repository, never beside their model file), written completely or not at
// all, and dropped when the file it came from is gone.

import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Bumped whenever the built graph changes: an entry built by an older builder is rebuilt. */
export const MODEL_BUILD_VERSION = 7;

/**
 * Bytes hashed at the start of a source file: a GGUF file's header, metadata and tensor table, whole for
 * any vocabulary up to 8 MiB of it (a 150k-entry vocabulary and its merges take ~6 MiB). Ropewalk's own
 * files keep their card in the metadata after the tokenizer, past the first 64 KiB: hashing only 64 KiB
 * served a stale build for a re-exported file of the same size whose card had changed.
 */
const HEAD_BYTES = 8 * 1024 * 1024;
/** Bytes hashed at the end: the last tensors. */
const TAIL_BYTES = 64 * 1024;
/** Samples of the tensor data between them (4 KiB each, evenly spaced): weights rewritten in place. */
const SAMPLES = 32;
const SAMPLE_BYTES = 4 * 1024;

/** The marker written last: a folder without it was left half-built (a crash, a full disk) and is rebuilt. */
const COMPLETE = 'complete.json';
const SOURCE = 'source.json';

export interface SourceIdentity {
  path: string;
  size: number;
  mtimeMs: number;
  /** sha-256 of the build version, the size, the file's first 8 MiB, 32 samples between and last 64 KiB. */
  hash: string;
}

export interface CacheEntry {
  dir: string;
  source: SourceIdentity;
  bytes: number;
  /** The source file is gone or has changed since, or an older builder made it: the entry serves nothing. */
  stale: boolean;
}

export function defaultModelCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ropewalk', 'models');
}

/**
 * Who a model file is, cheaply: its size, its metadata whole, samples of its weights and its end (a
 * multi-GB file is not read whole: ~8.3 MiB at most). By content, not time, so that a copy or a checkout
 * of the same file finds its build.
 */
export function sourceIdentity(path: string): SourceIdentity {
  const fd = openSync(path, 'r');
  try {
    const { size, mtimeMs } = fstatSync(fd);
    const hash = createHash('sha256').update(`ropewalk-build-${MODEL_BUILD_VERSION}\0${size}\0`);
    const read = (length: number, at: number): void => {
      const buf = Buffer.alloc(length);
      hash.update(buf.subarray(0, readSync(fd, buf, 0, length, at)));
    };
    const head = Math.min(HEAD_BYTES, size);
    read(head, 0);
    const tail = Math.min(TAIL_BYTES, size - head);
    const between = size - head - tail;
    if (between > SAMPLES * SAMPLE_BYTES)
      for (let i = 0; i < SAMPLES; i++)
        read(SAMPLE_BYTES, head + Math.floor(((between - SAMPLE_BYTES) * i) / (SAMPLES - 1)));
    if (tail > 0) read(tail, size - tail);
    return { path, size, mtimeMs, hash: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

export class ModelCache {
  constructor(readonly root = defaultModelCacheDir()) {}

  /** The folder of a source file's built model (complete or not). */
  dirFor(source: SourceIdentity): string {
    // Ropewalk's own models all hold a model.gguf: their folder's name says which one it is.
    const file = basename(source.path);
    const stem = /^model\.gguf$/i.test(file) ? basename(dirname(source.path)) : file;
    const name = stem
      .replace(/\.gguf$/i, '')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 60);
    return join(this.root, `${name}-${source.hash.slice(0, 16)}`);
  }

  /** The built model's folder when it is complete; a partial one is removed so that it is rebuilt. */
  lookup(source: SourceIdentity): string | undefined {
    const dir = this.dirFor(source);
    if (existsSync(join(dir, COMPLETE))) return dir;
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }

  /**
   * Builds into a temporary sibling folder and renames it into place when `build` returns: a reader
   * never sees half a model, and an interrupted build leaves only a folder that `lookup` removes.
   */
  async store(source: SourceIdentity, build: (dir: string) => Promise<void>): Promise<string> {
    const dir = this.dirFor(source);
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    try {
      writeFileSync(join(partial, SOURCE), JSON.stringify(source, null, 1) + '\n');
      await build(partial);
      writeFileSync(
        join(partial, COMPLETE),
        JSON.stringify({ builtAt: new Date().toISOString(), version: MODEL_BUILD_VERSION }) + '\n',
      );
      // Another process (a second editor window, the CLI) may have built the same file meanwhile: its
      // complete folder is kept (a reader may be loading it) and this build is dropped.
      if (existsSync(join(dir, COMPLETE))) {
        rmSync(partial, { recursive: true, force: true });
        return dir;
      }
      rmSync(dir, { recursive: true, force: true });
      try {
        renameSync(partial, dir);
      } catch (error) {
        if (!existsSync(join(dir, COMPLETE))) throw error;
        rmSync(partial, { recursive: true, force: true });
      }
      // Builds of files since deleted or changed, and of older builders, are gigabytes that serve nothing.
      this.prune();
      return dir;
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      throw error;
    }
  }

  /** Every entry with its size, and whether the file it was built from still is what it was. */
  entries(): CacheEntry[] {
    if (!existsSync(this.root)) return [];
    const out: CacheEntry[] = [];
    for (const name of readdirSync(this.root)) {
      const dir = join(this.root, name);
      let source: SourceIdentity | undefined;
      try {
        source = JSON.parse(readFileSync(join(dir, SOURCE), 'utf8')) as SourceIdentity;
      } catch {
        source = undefined; // a partial folder, or not ours
      }
      const building = /\.partial-(\d+)$/.exec(name);
      if (building && isAlive(Number(building[1]))) continue; // another process is building it now
      out.push({
        dir,
        source: source ?? { path: '', size: 0, mtimeMs: 0, hash: '' },
        bytes: folderBytes(dir),
        stale: builtBy(dir) !== MODEL_BUILD_VERSION || !source || !stillSame(source),
      });
    }
    return out;
  }

  /** Removes the entries whose source file is gone or changed, and half-built ones; returns what was freed. */
  prune(): { removed: number; bytes: number } {
    let removed = 0;
    let bytes = 0;
    for (const e of this.entries().filter((x) => x.stale)) {
      rmSync(e.dir, { recursive: true, force: true });
      removed++;
      bytes += e.bytes;
    }
    return { removed, bytes };
  }

  /** Everything (the *Ropewalk: Clear Model Cache* command); the users' own model files are never touched. */
  clear(): { removed: number; bytes: number } {
    const all = this.entries();
    rmSync(this.root, { recursive: true, force: true });
    return { removed: all.length, bytes: all.reduce((a, e) => a + e.bytes, 0) };
  }
}

/** The builder version that completed the folder; undefined when half-built. */
function builtBy(dir: string): number | undefined {
  try {
    const { version } = JSON.parse(readFileSync(join(dir, COMPLETE), 'utf8')) as {
      version?: number;
    };
    return version;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

function stillSame(source: SourceIdentity): boolean {
  try {
    const st = statSync(source.path);
    if (st.size !== source.size) return false;
    return st.mtimeMs === source.mtimeMs || sourceIdentity(source.path).hash === source.hash;
  } catch {
    return false; // the model file is gone
  }
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return total;
}
