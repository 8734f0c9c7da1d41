// The repository index's lookup tables (name → definitions, identifier → files that use it), kept in
// step with the files the index adds and removes.

import type { IndexedFile } from './repo-index';
import type { Definition } from './syntax';

const EMPTY: ReadonlySet<string> = new Set();

export class SymbolTables {
  private readonly byName = new Map<string, { file: string; def: Definition }[]>();
  /** Identifier → files that use it (an inverted index: similar-window search looks only at files that share names). */
  private readonly byIdentifier = new Map<string, Set<string>>();

  add(file: IndexedFile): void {
    const path = file.path;
    for (const def of file.definitions) {
      const list = this.byName.get(def.name) ?? [];
      list.push({ file: path, def });
      this.byName.set(def.name, list);
    }
    for (const id of file.identifiers) {
      let set = this.byIdentifier.get(id);
      if (!set) this.byIdentifier.set(id, (set = new Set()));
      set.add(path);
    }
  }

  /** Drops what `old` added; a name or identifier no file has any more is dropped with it. */
  remove(old: IndexedFile): void {
    const path = old.path;
    for (const def of old.definitions) {
      const list = (this.byName.get(def.name) ?? []).filter((e) => e.file !== path);
      if (list.length) this.byName.set(def.name, list);
      else this.byName.delete(def.name);
    }
    for (const id of old.identifiers) {
      const set = this.byIdentifier.get(id);
      set?.delete(path);
      if (set?.size === 0) this.byIdentifier.delete(id);
    }
  }

  filesUsing(name: string): ReadonlySet<string> {
    return this.byIdentifier.get(name) ?? EMPTY;
  }

  definitionsOf(name: string): { file: string; def: Definition }[] {
    return this.byName.get(name) ?? [];
  }
}
