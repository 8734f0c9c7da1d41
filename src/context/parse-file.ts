// Reads and parses one repository file: shared by the index's worker threads and its single-thread path.
// The file is read here, not during the walk, so that a large repository's text is never all in memory.

import { readFileSync } from 'node:fs';
import { languageForPath } from './languages';
import { classifySource, contentHash, type SkipReason } from './repo-walk';
import type { FileSyntax, SyntaxLoader } from './syntax';

export type WireSyntax = Omit<FileSyntax, 'identifiers'> & { identifiers: string[] };

export type ParsedFile =
  | { path: string; hash: string; syntax: WireSyntax }
  /** The file changed between the walk and now into something that is not source (or vanished). */
  | { path: string; skip: SkipReason }
  | { path: string; error: string };

export async function parseFile(
  loader: SyntaxLoader,
  path: string,
  absolute: string,
  maxBytes?: number,
): Promise<ParsedFile> {
  const spec = languageForPath(path);
  if (!spec) return { path, error: 'no grammar for this file' };
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch {
    return { path, skip: 'unreadable' };
  }
  const c = classifySource(bytes, maxBytes);
  if ('skip' in c) return { path, skip: c.skip };
  try {
    const s = await loader.extract(spec, c.text);
    return { path, hash: contentHash(c.text), syntax: { ...s, identifiers: [...s.identifiers] } };
  } catch (error) {
    return { path, error: (error as Error).message };
  }
}
