// The repository index: every supported file's definitions, imports resolved to files, class parents
// and identifiers, plus a name → definitions table for finding what the cursor needs.

import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { cachePath, readCache, writeCache } from './index-cache';
import { readTsconfigPaths, resolveImport, type TsconfigPaths } from './import-resolution';
import { languageForPath, SOURCE_EXTENSIONS } from './languages';
import { contentHash, walkRepository, type SkipReason, type WalkOptions } from './repo-walk';
import type { ParseReply, ParseRequest } from './index-worker';
import { parseFile, type ParsedFile } from './parse-file';
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

const EMPTY: ReadonlySet<string> = new Set();

export class RepoIndex {
  readonly files = new Map<string, IndexedFile>();
  private byName = new Map<string, { file: string; def: Definition }[]>();
  /** Identifier → files that use it (an inverted index: similar-window search looks only at files that share names). */
  private byIdentifier = new Map<string, Set<string>>();
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
    let parsed = 0;
    const failed = () => (skipped['parse-failed'] = (skipped['parse-failed'] ?? 0) + 1);
    const workers = options.workers ?? 0;
    const cacheFile = options.cacheDir ? cachePath(options.cacheDir, root) : undefined;
    const cached = cacheFile ? await readCache(cacheFile) : new Map<string, IndexedFile>();
    const toParse = walked.files.filter((f) => {
      const hit = cached.get(f.path);
      if (hit && hit.hash === f.hash) {
        index.insert(hit);
        return false;
      }
      return true;
    });
    cached.clear();
    const fromCache = walked.files.length - toParse.length;
    parsed += fromCache;
    const take = (r: ParsedFile) => {
      if ('error' in r) failed();
      else if ('skip' in r) {
        // Changed since the walk saw it (now binary, too large, deleted, …): counted like the walk would.
        skipped[r.skip] = (skipped[r.skip] ?? 0) + 1;
      } else {
        index.addParsed(r.path, r.hash, {
          ...r.syntax,
          identifiers: new Set(r.syntax.identifiers),
        });
        parsed++;
      }
    };
    if (workers > 0 && options.workerScript && options.grammarsDir && toParse.length > 0) {
      await parseInWorkers(
        toParse,
        workers,
        options.workerScript,
        { grammarsDir: options.grammarsDir, maxFileBytes: options.maxFileBytes },
        take,
      );
    } else {
      for (const f of toParse)
        take(await parseFile(loader, f.path, f.absolute, options.maxFileBytes));
    }
    index.resolveAll();
    if (cacheFile && options.cacheDir) {
      mkdirSync(options.cacheDir, { recursive: true });
      await writeCache(cacheFile, index.files.values());
    }
    let imports = 0;
    let resolved = 0;
    let definitions = 0;
    for (const f of index.files.values()) {
      definitions += f.definitions.length;
      imports += f.imports.length;
      resolved += f.imports.filter((i) => i.resolved).length;
    }
    return {
      index,
      stats: {
        files: walked.files.length,
        parsedFiles: parsed,
        skipped,
        definitions,
        imports,
        resolvedImports: resolved,
        fromCache,
        ms: performance.now() - t0,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        capMessage: walked.capped
          ? `Indexed the first ${walked.files.length} source files; ${walked.skipped['over-file-cap']} more were left out. Raise the file cap or exclude folders to index them.`
          : undefined,
      },
    };
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
    const path = file.path;
    this.remove(path);
    this.files.set(path, file);
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

  private remove(path: string): void {
    const old = this.files.get(path);
    if (!old) return;
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
    return this.byIdentifier.get(name) ?? EMPTY;
  }

  /** Definitions of `name` anywhere in the repository. */
  definitionsOf(name: string): { file: string; def: Definition }[] {
    return this.byName.get(name) ?? [];
  }
}

/** Reads and parses files in `count` worker threads, in batches handed out as workers free up; each result goes to `take` as it comes. */
async function parseInWorkers(
  files: { path: string; absolute: string }[],
  count: number,
  script: string,
  data: { grammarsDir: string; maxFileBytes?: number },
  take: (r: ParsedFile) => void,
): Promise<void> {
  const BATCH = 64;
  const batches: ParseRequest[] = [];
  for (let i = 0; i < files.length; i += BATCH) {
    batches.push({
      batch: batches.length,
      files: files.slice(i, i + BATCH).map((f) => ({ path: f.path, absolute: f.absolute })),
    });
  }
  let next = 0;
  const run = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      const send = () => {
        const req = batches[next++];
        if (!req) {
          resolve();
          return;
        }
        worker.postMessage(req);
      };
      worker.on('message', (reply: ParseReply) => {
        reply.results.forEach(take);
        send();
      });
      worker.on('error', reject);
      send();
    });
  const workers = Array.from(
    { length: Math.max(1, Math.min(count, batches.length)) },
    () => new Worker(script, { workerData: data }),
  );
  try {
    await Promise.all(workers.map(run));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
