// One engine session over the workspace: the repository index (built in the background, kept up to date
// from editor changes and file watchers), the prompt builder and the completion service. Recreated when
// the model or the workspace changes; owns the disposables of that lifetime.

import { loadTokenizer, type PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CompletionLanguage } from '../completion/code-text';
import { CompletionService, type CompletionEngine } from '../completion/completion-service';
import { PromptBuilder } from '../completion/prompt-builder';
import { completionSettings } from '../completion/defaults';
import { FileTexts } from '../context/file-texts';
import { languageForPath, languageForVscodeId, watcherGlob } from '../context/languages';
import { RepoIndex, type IndexStats } from '../context/repo-index';
import { readSourceFile } from '../context/source-file';
import { defaultGrammarsDir, SyntaxLoader } from '../context/syntax';
import type { AutoRopeStore } from '../bench/auto-rope';
import type { ModelFiles } from '../model/model-card';
import { readConfig } from './config';
import { remoteSettings, type RemoteModel } from '../completion/remote-setup';

export type SessionPhase = 'indexing' | 'ready' | 'error';

export interface SessionEvents {
  log: vscode.LogOutputChannel;
  onPhase: (phase: SessionPhase, detail: string) => void;
  /** The KV cache is being pre-filled at the cursor (true), or that ended (false). */
  onWarming: (warming: boolean) => void;
}

/** How long the user must pause before the prompt at the cursor is pre-filled into the KV cache. */
const PREWARM_AFTER_MS = 700;

export class WorkspaceSession implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private index: RepoIndex;
  private builder: PromptBuilder;
  private readonly texts: FileTexts;
  private readonly loader: SyntaxLoader;
  private readonly tok: PromptTokenizer;
  readonly service: CompletionService;
  /** The model family's prompt format, and what it cannot do (no FIM markers: prefix only). */
  readonly promptFormat: string;
  private prewarmTimer?: ReturnType<typeof setTimeout>;
  private disposed = false;
  indexStats?: IndexStats;

  /**
   * @param model the local model's files; undefined when `remote` serves the completions
   * @param remote a server's model (its tokenizer, template and context), and its name for the log
   */
  constructor(
    readonly root: string | undefined,
    readonly model: ModelFiles | undefined,
    readonly provider: string,
    engine: CompletionEngine,
    private readonly extensionPath: string,
    private readonly storagePath: string,
    private readonly events: SessionEvents,
    private readonly autoRope: AutoRopeStore,
    readonly remote?: { model: RemoteModel; label: string },
  ) {
    this.loader = new SyntaxLoader(defaultGrammarsDir(extensionPath));
    this.tok = remote ? remote.model.tok : loadTokenizer((model as ModelFiles).tokenizer);
    const name = remote ? remote.label : (model as ModelFiles).card.name;
    this.texts = new FileTexts(root ?? '/');
    // Until the index is built, completions use the file alone.
    this.index = RepoIndex.empty(root ?? '/', this.loader);
    this.builder = new PromptBuilder(this.index, this.tok, this.texts.get);
    // The prompt format is chosen from the vocabulary, once per model: said once, shown in the tooltip.
    const template = this.builder.template;
    this.promptFormat = template.notice
      ? `${template.summary}: ${template.notice}`
      : template.summary;
    events.log.info(remote ? remote.model.summary : `${name}: ${template.summary}`);
    if (template.notice) events.log.warn(`${name}: ${template.notice}`);
    this.service = new CompletionService(
      {
        builder: () => this.builder,
        engine,
        settings: () => {
          const c = readConfig();
          const strategy = this.root ? c.contextStrategy : 'infile';
          if (remote)
            return remoteSettings(remote.model, {
              budget: c.contextBudget,
              strategy,
              maxTokens: c.maxTokens,
            });
          const local = model as ModelFiles;
          return completionSettings(
            { budget: c.contextBudget, strategy, rope: c.ropeMethod, maxTokens: c.maxTokens },
            // `auto`: what `ropewalk bench` (or the Run Benchmark command) measured best for this model and budget.
            {
              provider,
              card: local.card,
              tok: this.tok,
              measuredBest: (b) => this.autoRope.bestFor(local.card.name, b)?.method,
            },
          );
        },
        loader: this.loader,
      },
      readConfig().debounceMs,
    );
    this.watch();
  }

  /** A prompt as the model saw it, decoded back to text with the family's markers, for the log. */
  describePrompt(segments: readonly number[][]): string {
    const ids = segments.flat();
    return `prompt (${this.builder.template.label}, ${ids.length} tokens):\n${this.tok.decode(ids)}`;
  }

  /** Repository path of a document ('/'-separated; a document outside the folder keeps its own path). */
  pathOf(uri: vscode.Uri): string {
    return vscode.workspace.asRelativePath(uri, false);
  }

  private inRepository(uri: vscode.Uri): boolean {
    return (
      !!this.root &&
      uri.scheme === 'file' &&
      vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath === this.root
    );
  }

  async buildIndex(): Promise<void> {
    if (!this.root) {
      this.events.onPhase('ready', 'no folder open: in-file context only');
      return;
    }
    const root = this.root;
    this.events.onPhase('indexing', 'indexing the repository…');
    const c = readConfig();
    try {
      const { index, stats } = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Ropewalk: indexing' },
        () =>
          RepoIndex.build(root, this.loader, {
            maxFiles: c.maxIndexedFiles,
            workers: Math.max(1, availableParallelism() - 1),
            workerScript: join(this.extensionPath, 'dist', 'index-worker.js'),
            grammarsDir: defaultGrammarsDir(this.extensionPath),
            cacheDir: this.storagePath,
          }),
      );
      if (this.disposed) return;
      this.index = index;
      this.indexStats = stats;
      this.builder = new PromptBuilder(index, this.tok, this.texts.get);
      for (const doc of vscode.workspace.textDocuments) await this.open(doc);
      const skipped = Object.entries(stats.skipped)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      this.events.log.info(
        `indexed ${stats.parsedFiles} of ${stats.files} files (${stats.fromCache} from the cache) in ${(stats.ms / 1000).toFixed(1)} s; ${stats.definitions} definitions, ${stats.resolvedImports}/${stats.imports} imports resolved${skipped ? `; skipped: ${skipped}` : ''}`,
      );
      if (stats.capMessage) {
        this.events.log.warn(stats.capMessage);
        void vscode.window.showWarningMessage(
          `Ropewalk: ${stats.capMessage} (setting ropewalk.maxIndexedFiles)`,
        );
      }
      this.events.onPhase('ready', `${stats.files} files indexed`);
    } catch (error) {
      this.events.log.error(
        `indexing failed: ${(error as Error).message}; completions use the file alone`,
      );
      this.events.onPhase('error', `indexing failed: ${(error as Error).message}`);
    }
  }

  private async open(doc: vscode.TextDocument): Promise<void> {
    if (!this.inRepository(doc.uri)) return;
    const path = this.pathOf(doc.uri);
    if (!languageForPath(path)) return;
    this.texts.setOpen(path, doc.getText());
    try {
      await this.index.openDocument(path, doc.getText());
    } catch (error) {
      this.events.log.warn(`could not parse ${path}: ${(error as Error).message}`);
    }
  }

  private watch(): void {
    const onDisk = async (uri: vscode.Uri, deleted: boolean) => {
      if (!this.inRepository(uri)) return;
      const path = this.pathOf(uri);
      if (!languageForPath(path)) return;
      this.texts.invalidate(path);
      // An open editor's text wins over the disk.
      if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) return;
      let text: string | undefined;
      if (!deleted) {
        try {
          text = readSourceFile(uri.fsPath);
        } catch {
          text = undefined; // now binary, too large or unreadable: drop it from the index
        }
      }
      await this.index
        .update(path, text)
        .catch((e: Error) => this.events.log.warn(`re-indexing ${path}: ${e.message}`));
      this.service.invalidate();
    };
    const watcher = vscode.workspace.createFileSystemWatcher(watcherGlob());
    this.disposables.push(
      watcher,
      watcher.onDidChange((u) => void onDisk(u, false)),
      watcher.onDidCreate((u) => void onDisk(u, false)),
      watcher.onDidDelete((u) => void onDisk(u, true)),
      vscode.workspace.onDidOpenTextDocument((d) => void this.open(d)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (!this.inRepository(d.uri)) return;
        const path = this.pathOf(d.uri);
        this.texts.close(path);
        this.index.closeDocument(path);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => void this.changed(e)),
      vscode.window.onDidChangeActiveTextEditor((ed) => ed && this.schedulePrewarm(ed)),
    );
  }

  private async changed(e: vscode.TextDocumentChangeEvent): Promise<void> {
    if (e.contentChanges.length === 0) return;
    const editor = vscode.window.activeTextEditor;
    if (editor?.document === e.document) {
      this.service.keystroke();
      this.schedulePrewarm(editor);
    }
    if (!this.inRepository(e.document.uri)) return;
    const path = this.pathOf(e.document.uri);
    if (!languageForPath(path)) return;
    const text = e.document.getText();
    this.texts.setOpen(path, text);
    try {
      await this.index.editDocument(
        path,
        e.contentChanges.map((c) => ({
          start: c.rangeOffset,
          end: c.rangeOffset + c.rangeLength,
          text: c.text,
        })),
        text,
      );
    } catch (error) {
      this.events.log.warn(`re-indexing ${path}: ${(error as Error).message}`);
    }
  }

  /** While the user pauses, pre-fill the KV cache with the prompt at the cursor. */
  private schedulePrewarm(editor: vscode.TextEditor): void {
    clearTimeout(this.prewarmTimer);
    this.prewarmTimer = setTimeout(() => {
      if (this.disposed || vscode.window.activeTextEditor !== editor) return;
      const c = readConfig();
      const language = completionLanguage(editor.document.languageId);
      if (!c.enabled || !language || !c.languages.includes(editor.document.languageId)) return;
      const doc = editor.document;
      this.events.onWarming(true);
      void this.service
        .prewarm({
          path: this.pathOf(doc.uri),
          text: doc.getText(),
          offset: doc.offsetAt(editor.selection.active),
          language,
        })
        .then(
          (r) =>
            r &&
            this.events.log.debug(
              `pre-warmed ${r.promptTokens} tokens (${r.reusedTokens} already cached)`,
            ),
        )
        .catch((e: Error) => this.events.log.warn(`pre-warm: ${e.message}`))
        .finally(() => this.events.onWarming(false));
    }, PREWARM_AFTER_MS);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.prewarmTimer);
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
    for (const doc of vscode.workspace.textDocuments)
      if (this.inRepository(doc.uri)) this.index.closeDocument(this.pathOf(doc.uri));
  }
}

/** VS Code language id → the completion core's language, through the language table. */
export function completionLanguage(languageId: string): CompletionLanguage | undefined {
  return languageForVscodeId(languageId)?.id;
}
