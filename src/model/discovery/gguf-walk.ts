// The `.gguf` files under a folder, found by name without opening them, and split sets
// (`NAME-00001-of-00003.gguf`, what llama.cpp's gguf-split writes) folded into one entry each.

import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { readProblem, type FoundModel, type ModelStore } from './found-model';

export interface WalkLimits {
  /** Folder levels below the root that are entered. */
  maxDepth: number;
  /** Entries looked at before the walk stops (a folder setting pointed at a home folder must not hang). */
  maxEntries?: number;
}

export interface GgufEntry {
  path: string;
  /** Found through a link that leads nowhere (an HF snapshot whose blob is gone), or unreadable. */
  problem?: string;
}

const SKIP = new Set(['node_modules']);

/**
 * `.gguf` files under `root` (links followed, each real folder entered once; hidden folders and
 * node_modules skipped), in a stable order.
 */
export function ggufFilesUnder(root: string, limits: WalkLimits): GgufEntry[] {
  const out: GgufEntry[] = [];
  const seen = new Set<string>();
  let budget = limits.maxEntries ?? 50_000;
  const visit = (dir: string, depth: number) => {
    let real: string;
    let names: string[];
    try {
      real = realpathSync(dir);
      if (seen.has(real)) return;
      seen.add(real);
      names = readdirSync(dir).sort();
    } catch {
      return; // an unreadable folder holds nothing we can list
    }
    for (const name of names) {
      if (--budget < 0) return;
      if (name.startsWith('.') || SKIP.has(name)) continue;
      const path = join(dir, name);
      const isGguf = /\.gguf$/i.test(name);
      let st;
      try {
        st = statSync(path); // follows links: HF snapshots are links into blobs/
      } catch (error) {
        if (isGguf) out.push({ path, problem: readProblem(error) });
        continue;
      }
      if (st.isDirectory()) {
        if (depth < limits.maxDepth) visit(path, depth + 1);
      } else if (isGguf && st.isFile()) out.push({ path });
    }
  };
  visit(root, 0);
  return out;
}

const SHARD = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

/**
 * Found models from files, a split set as one entry (its first shard is what a loader opens), labelled by
 * `label(path)`. A set whose first shard is missing is listed with that problem.
 */
export function foldShards(
  files: readonly GgufEntry[],
  store: ModelStore,
  root: string,
  label: (path: string) => string = (p) => relative(root, p).split(sep).join('/'),
): FoundModel[] {
  const out: FoundModel[] = [];
  const sets = new Map<string, { count: number; shards: Map<number, string> }>();
  for (const f of files) {
    const m = SHARD.exec(f.path);
    if (!m || f.problem) {
      out.push({
        store,
        root,
        label: label(f.path),
        path: f.path,
        ...(f.problem && { problem: f.problem }),
      });
      continue;
    }
    const key = `${m[1]}\0${m[3]}`;
    const set = sets.get(key) ?? { count: Number(m[3]), shards: new Map<number, string>() };
    set.shards.set(Number(m[2]), f.path);
    sets.set(key, set);
  }
  for (const { count, shards } of sets.values()) {
    const ordered = [...shards.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
    const first = shards.get(1);
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !shards.has(n));
    out.push({
      store,
      root,
      label: label(first ?? ordered[0]!),
      path: first ?? ordered[0]!,
      shards: ordered,
      shardCount: count,
      ...(missing.length > 0 && {
        problem: `split into ${count} files, of which ${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
      }),
    });
  }
  return out.sort((a, b) => a.label.localeCompare(b.label));
}
