// The repository index: every supported file's definitions, imports resolved to files, class parents
// and identifiers, plus a name → definitions table for finding what the cursor needs.

import { mkdirSync } from 'node:fs';
import { cachePath, readCache, writeCache } from './index-cache';
import { readTsconfigPaths, resolveImport, type TsconfigPaths } from './import-resolution';
import { languageForPath, SOURCE_EXTENSIONS } from './languages';
import type { ParsedFile } from './parse-file';
import { parseFiles } from './parse-workers';
import {
  contentHash,
  walkRepository,
  type SkipReason,
  type WalkedFile,
  type WalkOptions,
} from './repo-walk';
import { SymbolTables } from './symbol-tables';
import {
  IncrementalDocument,
  type Definition,
  type FileSyntax,
  type SyntaxLoader,
  type TextChange,
} from './syntax';

export interface IndexedImport {
  source: string;
  /** Repository path of the imported file, when it is in the repository. */
  resolved?: string;
}

export interface IndexedFile {
  path: string;
  language: string;
  hash: string;
  definitions: Definition[];
  imports: IndexedImport[];
  parents: Record<string, string[]>;
  identifiers: string[];
  hasErrors: boolean;
}

export interface IndexStats {
  files: number;
  parsedFiles: number;
  skipped: Partial<Record<SkipReason | 'parse-failed', number>>;
  definitions: number;
  imports: number;
  resolvedImports: number;
  /** Of parsedFiles, those taken unchanged from the persisted index. */
  fromCache: number;
  ms: number;
  peakRssMb: number;
  /** Set when a cap left files out: what to change to index them. */
  capMessage?: string;
}

export interface IndexOptions extends Omit<WalkOptions, 'extensions'> {
  /** Worker threads that parse (0: parse on the calling thread). */
  workers?: number;
  /** The bundled dist/index-worker.js; needed when workers > 0. */
  workerScript?: string;
  grammarsDir?: string;
  /** Folder for the persisted index (never the repository itself); files whose content hash is
   *  unchanged are taken from it instead of parsed again. */
  cacheDir?: string;
}

export class RepoIndex {
  readonly files = new Map<string, IndexedFile>();
  private readonly tables = new SymbolTables();
  private tsconfig: TsconfigPaths = { aliases: [] };

  private constructor(
    readonly root: string,
    private readonly loader: SyntaxLoader,
  ) {}

  /** An index with no files (in-file context only). */
  static empty(root: string, loader: SyntaxLoader): RepoIndex {
    return new RepoIndex(root, loader);
  }

  static async build(
    root: string,
    loader: SyntaxLoader,
    options: IndexOptions = {},
  ): Promise<{ index: RepoIndex; stats: IndexStats }> {
    const t0 = performance.now();
    const index = new RepoIndex(root, loader);
    index.tsconfig = readTsconfigPaths(root);
    const walked = walkRepository(root, { ...options, extensions: SOURCE_EXTENSIONS });
    const skipped: IndexStats['skipped'] = { ...walked.skipped };
    const cacheFile = options.cacheDir ? cachePath(options.cacheDir, root) : undefined;
    const toParse = await index.takeCached(walked.files, cacheFile);
    const fromCache = walked.files.length - toParse.length;
    const parsed = fromCache + (await index.parseAll(toParse, options, skipped));
    index.resolveAll();
    if (cacheFile && options.cacheDir) {
      mkdirSync(options.cacheDir, { recursive: true });
      await writeCache(cacheFile, index.files.values());
    }
    return {
      index,
      stats: {
        files: walked.files.length,
        parsedFiles: parsed,
        skipped,
        ...index.counts(),
        fromCache,
        ms: performance.now() - t0,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        capMessage: walked.capped
          ? `Indexed the first ${walked.files.length} source files; ${walked.skipped['over-file-cap']} more were left out. Raise the file cap or exclude folders to index them.`
          : undefined,
      },
    };
  }

  /** Inserts the walked files whose content the persisted index already holds; returns the rest, to parse. */
  private async takeCached(
    files: WalkedFile[],
    cacheFile: string | undefined,
  ): Promise<WalkedFile[]> {
    const cached = cacheFile ? await readCache(cacheFile) : new Map<string, IndexedFile>();
    const toParse = files.filter((f) => {
      const hit = cached.get(f.path);
      if (hit && hit.hash === f.hash) {
        this.insert(hit);
        return false;
      }
      return true;
    });
    cached.clear();
    return toParse;
  }

  /** Parses `files` into the index; counts failures and
   *  late skips into `skipped`, and returns how many were parsed. */
  private async parseAll(
    files: WalkedFile[],
    options: IndexOptions,
    skipped: IndexStats['skipped'],
  ): Promise<number> {
    let parsed = 0;
    const take = (r: ParsedFile) => {
      if ('error' in r) skipped['parse-failed'] = (skipped['parse-failed'] ?? 0) + 1;
      else if ('skip' in r) {
        // Changed since the walk saw it (now binary, too large, deleted, …): counted like the walk would.
        skipped[r.skip] = (skipped[r.skip] ?? 0) + 1;
      } else {
        this.addParsed(r.path, r.hash, { ...r.syntax, identifiers: new Set(r.syntax.identifiers) });
        parsed++;
      }
    };
    await parseFiles(this.loader, files, options, take);
    return parsed;
  }

  /** Totals over the indexed files, for the build's stats. */
  private counts(): Pick<IndexStats, 'definitions' | 'imports' | 'resolvedImports'> {
    let imports = 0;
    let resolvedImports = 0;
    let definitions = 0;
    for (const f of this.files.values()) {
      definitions += f.definitions.length;
      imports += f.imports.length;
      resolvedImports += f.imports.filter((i) => i.resolved).length;
    }
    return { definitions, imports, resolvedImports };
  }

  private async add(path: string, text: string): Promise<void> {
    const spec = languageForPath(path);
    if (!spec) return;
    this.addParsed(path, contentHash(text), await this.loader.extract(spec, text));
  }

  private addParsed(path: string, hash: string, s: FileSyntax): void {
    const spec = languageForPath(path);
    if (!spec) return;
    this.insert({
      path,
      language: spec.id,
      hash,
      definitions: s.definitions,
      imports: s.imports.map((source) => ({ source })),
      parents: s.parents,
      identifiers: [...s.identifiers],
      hasErrors: s.hasErrors,
    });
  }

  private insert(file: IndexedFile): void {
    this.remove(file.path);
    this.files.set(file.path, file);
    this.tables.add(file);
  }

  private remove(path: string): void {
    const old = this.files.get(path);
    if (!old) return;
    this.tables.remove(old);
    this.files.delete(path);
  }

  /** Documents an editor holds open, parsed incrementally. */
  private readonly open = new Map<string, IncrementalDocument>();

  /** An editor opened `path`: from now on its edits re-parse incrementally (see edit()). */
  async openDocument(path: string, text: string): Promise<void> {
    const spec = languageForPath(path);
    if (!spec) return;
    this.open.get(path)?.dispose();
    const doc = await IncrementalDocument.open(this.loader, spec, text);
    this.open.set(path, doc);
    this.indexDocument(path, doc);
  }

  /** Applies an editor's changes to an open document and re-indexes it; re-opens it when the index lost track. */
  async editDocument(path: string, changes: TextChange[], newText: string): Promise<void> {
    const doc = this.open.get(path);
    if (!doc) return this.openDocument(path, newText);
    await doc.apply(changes);
    // The editor's text is the truth: if the changes did not lead to it, parse it afresh.
    if (doc.text !== newText) await doc.reset(newText);
    this.indexDocument(path, doc);
  }

  closeDocument(path: string): void {
    this.open.get(path)?.dispose();
    this.open.delete(path);
  }

  private indexDocument(path: string, doc: IncrementalDocument): void {
    this.addParsed(path, contentHash(doc.text), doc.syntax());
    this.resolveImportsOf(this.files.get(path));
  }

  /** Re-indexes one changed file (or drops it when `text` is undefined); other files are untouched. */
  async update(path: string, text: string | undefined): Promise<void> {
    if (text === undefined) this.remove(path);
    else {
      if (this.files.get(path)?.hash === contentHash(text)) return;
      await this.add(path, text);
      this.resolveImportsOf(this.files.get(path));
    }
  }

  /** Import resolution needs every file in place: after a build, or for one file re-indexed later. */
  private resolveImportsOf(f: IndexedFile | undefined): void {
    if (f) for (const i of f.imports) i.resolved = this.resolveImport(f, i.source);
  }

  private resolveAll(): void {
    for (const f of this.files.values()) this.resolveImportsOf(f);
  }

  /** The repository file an import names, if any: relative imports, the repository's own packages, tsconfig paths. */
  resolveImport(from: IndexedFile, source: string): string | undefined {
    return resolveImport(from, source, (path) => this.files.has(path), this.tsconfig);
  }

  /** Files that use identifier `name`. */
  filesUsing(name: string): ReadonlySet<string> {
    return this.tables.filesUsing(name);
  }

  /** Definitions of `name` anywhere in the repository. */
  definitionsOf(name: string): { file: string; def: Definition }[] {
    return this.tables.definitionsOf(name);
  }
}
