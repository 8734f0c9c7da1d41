// RepoCoder-style retrieval: windows of other files' lines, ranked by Jaccard similarity of their
// identifiers with the lines before the cursor; candidates come from the index's inverted table.

import type { Cursor, Proposal } from './proposals';
import type { RepoIndex } from './repo-index';

/** An identifier in any of the supported languages (global: for match and matchAll). */
export const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*/g;

function tokenSet(text: string): Set<string> {
  return new Set(text.match(IDENT) ?? []);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}

/**
 * Files most likely to hold windows similar to the query: those sharing its rarer identifiers
 * (idf-weighted), from the index's inverted table, so that a query reads a few dozen files instead of
 * the whole repository.
 */
function candidateFiles(
  index: RepoIndex,
  query: Set<string>,
  exclude: string,
  limit: number,
): string[] {
  const n = index.files.size;
  const score = new Map<string, number>();
  for (const name of query) {
    const users = index.filesUsing(name);
    // A name most files use (self, this, return) says nothing about which file is similar.
    if (users.size === 0 || users.size > Math.max(8, n / 4)) continue;
    const idf = Math.log(1 + n / users.size);
    for (const f of users) if (f !== exclude) score.set(f, (score.get(f) ?? 0) + idf);
  }
  return [...score]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([f]) => f);
}

/** RepoCoder's retrieval: windows of `size` lines (stride size/2) over other files, by Jaccard with the last 20 lines. */
export function similarWindows(
  index: RepoIndex,
  cursor: Cursor,
  fileText: (path: string) => string | undefined,
  top = 8,
  size = 30,
  maxFiles = 48,
): Proposal[] {
  const query = tokenSet(cursor.text.slice(0, cursor.offset).split('\n').slice(-20).join('\n'));
  const scored: { p: Proposal; start: number }[] = [];
  for (const path of candidateFiles(index, query, cursor.path, maxFiles)) {
    const text = fileText(path);
    if (text === undefined) continue;
    const lines = text.split('\n');
    for (let start = 0; start < lines.length; start += size / 2) {
      const window = lines.slice(start, start + size).join('\n');
      const score = jaccard(query, tokenSet(window));
      if (score > 0)
        scored.push({
          p: {
            type: 'similar-window',
            source: path,
            text: window,
            score,
            key: `window:${path}:${start}`,
          },
          start,
        });
      if (start + size >= lines.length) break;
    }
  }
  scored.sort((a, b) => b.p.score - a.p.score || a.p.key.localeCompare(b.p.key));
  // Overlapping windows of one file say the same thing twice: keep the best of each overlap.
  const kept: { p: Proposal; start: number }[] = [];
  for (const w of scored) {
    if (kept.some((k) => k.p.source === w.p.source && Math.abs(k.start - w.start) < size)) continue;
    kept.push(w);
    if (kept.length >= top) break;
  }
  return kept.map((k) => k.p);
}
