// The Hugging Face hub cache (huggingface_hub's "Understand caching" guide): one folder per repository,
//   <cache>/models--<org>--<name>/refs/<branch>            the commit a branch points to
//   <cache>/models--<org>--<name>/snapshots/<commit>/...   the files, as links into ../../blobs/<hash>
//   <cache>/models--<org>--<name>/blobs/<hash>              the bytes (copies instead of links on Windows
//                                                           without developer mode)
// <cache> is $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub or
// ~/.cache/huggingface/hub. `huggingface-cli download Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF FILE.gguf` lands here.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FoundModel } from './found-model';
import { foldShards, ggufFilesUnder } from './gguf-walk';

const REPO_PREFIX = 'models--';

/** Whether a folder holds hub-cache repositories (so a configured folder that is one is read as one). */
export function isHfCache(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => n.startsWith(REPO_PREFIX));
  } catch {
    return false;
  }
}

/** `models--Qwen--Qwen2.5-Coder-1.5B-GGUF` → `Qwen/Qwen2.5-Coder-1.5B-GGUF`. */
export function hfRepoName(folder: string): string {
  return folder.slice(REPO_PREFIX.length).split('--').join('/');
}

function readRefs(repoDir: string): Map<string, string> {
  const byCommit = new Map<string, string>();
  try {
    for (const ref of readdirSync(join(repoDir, 'refs')))
      byCommit.set(readFileSync(join(repoDir, 'refs', ref), 'utf8').trim(), ref);
  } catch {
    // no refs: a snapshot downloaded by commit hash only
  }
  return byCommit;
}

/**
 * Every `.gguf` file of every snapshot, labelled `org/repo/file.gguf` (with `@commit` when no branch points
 * at that snapshot). The same blob reached from two snapshots is one model; discovery folds such duplicates.
 */
export function hfCacheModels(root: string): FoundModel[] {
  let repos: string[];
  try {
    repos = readdirSync(root)
      .filter((n) => n.startsWith(REPO_PREFIX))
      .sort();
  } catch {
    return [];
  }
  const out: FoundModel[] = [];
  for (const folder of repos) {
    const repoDir = join(root, folder);
    const refs = readRefs(repoDir);
    const snapshotsDir = join(repoDir, 'snapshots');
    let commits: string[];
    try {
      commits = readdirSync(snapshotsDir).sort();
    } catch {
      continue;
    }
    // The commit a branch points to first: duplicates keep the label of the current revision.
    commits.sort((a, b) => Number(refs.has(b)) - Number(refs.has(a)));
    for (const commit of commits) {
      const dir = join(snapshotsDir, commit);
      const suffix = refs.has(commit) ? '' : `@${commit.slice(0, 7)}`;
      const label = (p: string) =>
        `${hfRepoName(folder)}/${relative(dir, p).split(sep).join('/')}${suffix}`;
      out.push(...foldShards(ggufFilesUnder(dir, { maxDepth: 4 }), 'hf-cache', root, label));
    }
  }
  return out;
}
