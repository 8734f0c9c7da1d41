// Owns the extension's state: output channel, status bar, inference process, commands, and the
// current workspace session (index + completion service), which is rebuilt when the model changes.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { AutoRopeStore } from '../bench/auto-rope';
import type { CompletionOutcome } from '../completion/completion-service';
import { defaultBudget } from '../completion/defaults';
import { modelInUse } from '../completion/model-choice';
import { InferenceClient } from '../model/inference-client';
import type { ModelCard } from '../model/model-card';
import { ModelCache } from '../model/model-cache';
import { defaultModelDir } from '../model/model-location';
import { runBenchmark, showReport } from './benchmark';
import { readConfig } from './config';
import { pickModel } from './model-picker';
import { RopewalkInlineProvider } from './provider';
import { WorkspaceSession, type SessionPhase } from './workspace-session';

/** Settings whose change needs a new session (model, device, KV cache type, index, debounce). */
const SESSION_SETTINGS = [
  'modelPath',
  'executionProvider',
  'kvCacheType',
  'maxIndexedFiles',
  'debounceMs',
].map((s) => `ropewalk.${s}`);

export class Ctx implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly log: vscode.LogOutputChannel;
  private readonly status: vscode.StatusBarItem;
  private readonly inference: InferenceClient;
  private session?: WorkspaceSession;
  private phase: SessionPhase | 'checking' = 'checking';
  private detail = 'Checking the model…';
  private lastOutcome?: CompletionOutcome;
  /** The prompt at the cursor is being pre-filled into the KV cache. */
  private warming = false;
  private starting?: Promise<void>;
  /** The benchmark's choices for `ropeMethod: auto`, read once, reloaded when a benchmark finishes. */
  private readonly autoRope: AutoRopeStore;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Ropewalk', { log: true });
    this.autoRope = new AutoRopeStore(undefined, (l) => this.log.warn(l));
    this.status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
    this.status.name = 'Ropewalk';
    this.status.command = 'ropewalk.showStatus';
    this.render();
    this.status.show();
    this.inference = new InferenceClient(
      join(context.extensionPath, 'dist', 'inference-process.js'),
      (l) => this.log.info(l),
    );
    this.disposables.push(
      this.log,
      this.status,
      { dispose: () => this.inference.dispose() },
      { dispose: () => this.session?.dispose() },
      vscode.languages.registerInlineCompletionItemProvider(
        { pattern: '**' },
        new RopewalkInlineProvider(
          () => this.session,
          (o) => this.outcome(o),
          this.log,
        ),
      ),
      vscode.commands.registerCommand('ropewalk.showLog', () => this.log.show()),
      vscode.commands.registerCommand('ropewalk.showStatus', () => this.showStatus()),
      vscode.commands.registerCommand('ropewalk.enable', () => this.setEnabled(true)),
      vscode.commands.registerCommand('ropewalk.disable', () => this.setEnabled(false)),
      vscode.commands.registerCommand('ropewalk.rebuildIndex', () => this.session?.buildIndex()),
      vscode.commands.registerCommand('ropewalk.selectModel', () => this.selectModel()),
      vscode.commands.registerCommand('ropewalk.runBenchmark', () => this.benchmark()),
      vscode.commands.registerCommand('ropewalk.clearModelCache', () => this.clearModelCache()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (SESSION_SETTINGS.some((s) => e.affectsConfiguration(s))) void this.restart();
        else if (e.affectsConfiguration('ropewalk')) this.render();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.restart()),
    );
    void this.restart();
  }

  private modelDir(): string {
    return readConfig().modelPath || defaultModelDir(this.context.extensionPath);
  }

  /** Opens (and checks) the model in the inference process, then builds a session over the workspace. */
  private restart(): Promise<void> {
    const run = async () => {
      this.session?.dispose();
      this.session = undefined;
      this.setPhase('checking', 'Checking the model…');
      const dir = this.modelDir();
      const config = readConfig();
      try {
        // One load per start: the process reads the folder, loads the session, checks it and keeps it.
        // The memory check (and the KV type's auto rule) counts the KV cache at the budget set; 0 (by
        // device) counts the CPU's 4096.
        const opened = await this.inference.open(dir, config.executionProvider, {
          contextTokens: config.contextBudget || undefined,
          kvType: config.kvCacheType,
        });
        const { report, handle } = opened;
        const src = opened.files.card.source;
        const imported = src
          ? ` (${src.architecture}, ${src.fileType ?? 'weights ' + Object.keys(src.weightTypes).join('/')}, from ${src.gguf})`
          : '';
        this.log.info(
          `model ${report.model}${imported} at ${dir}: loaded in ${report.loadMs.toFixed(0)} ms on ${report.provider}, KV cache ${report.kv.type} (${report.kv.reason}), ${report.note ?? `golden cases ${report.ok ? 'pass' : 'FAIL'}`}`,
        );
        if (!report.ok || handle === undefined)
          throw new Error(`the model at ${dir} fails its golden cases (see the log)`);
        const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        const storage = this.context.globalStorageUri.fsPath;
        this.session = new WorkspaceSession(
          root,
          opened.files,
          opened.provider,
          {
            generate: (prompt, rope, options, live) =>
              this.inference.generate(handle, prompt, rope, options, live),
          },
          this.context.extensionPath,
          storage,
          {
            log: this.log,
            onPhase: (p, d) => this.setPhase(p, d),
            onWarming: (w) => {
              this.warming = w;
              this.render();
            },
          },
          this.autoRope,
        );
        await this.session.buildIndex();
      } catch (error) {
        this.log.error(`model at ${dir}: ${(error as Error).message}`);
        this.setPhase('error', (error as Error).message);
      }
    };
    // One restart at a time: a second waits for the first, then runs.
    this.starting = (this.starting ?? Promise.resolve()).then(run);
    return this.starting;
  }

  private setPhase(phase: SessionPhase | 'checking', detail: string): void {
    this.phase = phase;
    this.detail = detail;
    this.render();
  }

  private outcome(o: CompletionOutcome): void {
    if (o.source === 'cancelled') return;
    this.lastOutcome = o;
    this.render();
  }

  private render(): void {
    const enabled = readConfig().enabled;
    const device = this.session ? this.session.provider.toUpperCase() : '';
    const warming = this.phase === 'ready' && enabled && this.warming;
    const icon = warming
      ? '$(flame)'
      : {
          checking: '$(loading~spin)',
          indexing: '$(sync~spin)',
          ready: enabled ? '$(check)' : '$(circle-slash)',
          error: '$(error)',
        }[this.phase];
    const o = this.lastOutcome;
    const figures = warming
      ? ' warming'
      : this.phase === 'ready' && o
        ? ` ${o.latencyMs.toFixed(0)} ms${o.reusedTokens !== undefined ? ` · ${(o.reusedTokens / 1000).toFixed(1)}k cached` : ' · cache hit'}`
        : '';
    const session = this.session;
    const model = session
      ? modelInUse(
          session.model.card,
          readConfig().contextBudget ||
            defaultBudget(session.provider, session.model.card.trainLength),
        )
      : undefined;
    this.status.text = `${icon} Ropewalk${model ? `: ${model.name}` : ''}${device ? ` ${device}` : ''}${figures}`;
    const stats = this.session?.service.stats;
    this.status.tooltip = [
      `Ropewalk: ${this.phase === 'ready' && !enabled ? 'disabled' : warming ? 'warming (pre-filling the KV cache at the cursor)' : this.phase} — ${this.detail}`,
      model ? `model ${model.name} (${device}): ${model.detail}` : '',
      this.session?.promptFormat ?? '',
      stats && stats.requests
        ? `${stats.requests} requests: ${stats.fromEngine} from the model, ${stats.fromCache} from the result cache, ${stats.cancelled} cancelled`
        : '',
      o?.promptTokens !== undefined
        ? `last prompt ${o.promptTokens} tokens, ${o.reusedTokens ?? 0} reused from the KV cache`
        : '',
    ]
      .filter(Boolean)
      .join('\n');
  }

  private async setEnabled(on: boolean): Promise<void> {
    await vscode.workspace
      .getConfiguration('ropewalk')
      .update('enabled', on, vscode.ConfigurationTarget.Global);
    this.render();
  }

  private async benchmark(): Promise<void> {
    const root = this.session?.root;
    if (!root || !this.session) {
      void vscode.window.showWarningMessage(
        'Ropewalk: open a folder (and wait for the model check) to benchmark it.',
      );
      return;
    }
    const storage = this.context.globalStorageUri.fsPath;
    const report = await runBenchmark(
      this.context.extensionPath,
      storage,
      {
        root,
        modelDir: this.modelDir(),
        provider: this.session.provider,
        kvType: readConfig().kvCacheType,
      },
      this.log,
    );
    if (!report) return;
    this.autoRope.reload();
    showReport(this.context.extensionPath, report);
    const out = dirname(report);
    const choice = await vscode.window.showInformationMessage(
      `Ropewalk: benchmark report written to ${out} (summary.json, .csv, .md; charts as SVG). The best RoPE method per budget is now what \`auto\` uses.`,
      'Reveal Files',
    );
    if (choice)
      await vscode.commands.executeCommand(
        'revealFileInOS',
        vscode.Uri.file(join(out, 'summary.md')),
      );
  }

  private async selectModel(): Promise<void> {
    const dir = defaultModelDir(this.context.extensionPath);
    let name = 'the bundled model';
    try {
      name = (JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8')) as ModelCard).name;
    } catch {
      // a broken install: the picker still offers the other models
    }
    await pickModel({
      bundled: { dir, name },
      provider: this.session?.provider ?? 'cpu',
      log: this.log,
    });
  }

  /** Frees the disk space of models built from GGUF files (the bundled one too); the users' own files are never touched. */
  private clearModelCache(): void {
    const { removed, bytes } = new ModelCache().clear();
    const message = `Ropewalk: removed ${removed} built model${removed === 1 ? '' : 's'} (${(bytes / 2 ** 20).toFixed(1)} MiB); the model in use is rebuilt on the next start.`;
    this.log.info(message);
    void vscode.window.showInformationMessage(message);
  }

  private async showStatus(): Promise<void> {
    const text = (this.status.tooltip as string).split('\n').join(' · ');
    const choice = await vscode.window.showInformationMessage(text, 'Show Log', 'Rebuild Index');
    if (choice === 'Show Log') this.log.show();
    if (choice === 'Rebuild Index') await this.session?.buildIndex();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
