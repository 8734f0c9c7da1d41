// Texts of repository files for proposals: open editors' texts override the disk, disk reads are
// cached (bounded) and forgotten when the file changes.

import { join } from 'node:path';
import { LruMap } from '../lru-map';
import { readSourceFile } from './source-file';

export class FileTexts {
  private readonly open = new Map<string, string>();
  private readonly disk: LruMap<string, string | null>;

  constructor(
    private readonly root: string,
    maxCached = 2048,
  ) {
    this.disk = new LruMap(maxCached);
  }

  /** The text of a repository path, or undefined when it cannot be read as source. */
  get = (path: string): string | undefined => {
    const o = this.open.get(path);
    if (o !== undefined) return o;
    let t = this.disk.get(path);
    if (t === undefined) {
      try {
        t = readSourceFile(join(this.root, path));
      } catch {
        t = null; // unreadable, binary or too large: remembered until the file changes
      }
      this.disk.set(path, t);
    }
    return t ?? undefined;
  };

  /** An editor holds this file: its text wins over the disk's until closed. */
  setOpen(path: string, text: string): void {
    this.open.set(path, text);
  }

  close(path: string): void {
    this.open.delete(path);
  }

  /** The file changed on disk (or was deleted). */
  invalidate(path: string): void {
    this.disk.delete(path);
  }
}
