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
import { BACKEND_SETTINGS, readConfig, type RopewalkConfig } from './config';
import { connectRemote, engineOf } from '../completion/remote-setup';
import { remoteBackend, RemoteBackendError } from '../model/remote';
import { loadModelTokenizer } from '../model/model-source';
import type { PromptTokenizer } from '../model/tokenizers/load-tokenizer';
import { pickModel } from './model-picker';
import { RopewalkInlineProvider } from './provider';
import { WorkspaceSession, type SessionEvents, type SessionPhase } from './workspace-session';

/** Settings whose change needs a new session (model, device, KV cache type, index, debounce). */
const SESSION_SETTINGS = [
  'modelPath',
  'executionProvider',
  'kvCacheType',
  'maxIndexedFiles',
  'debounceMs',
  ...BACKEND_SETTINGS,
].map((s) => `ropewalk.${s}`);

/** How long to wait before asking an unreachable server about its model again. */
const RECONNECT_MS = 30_000;

/** Where the remote backend's API key is kept: VS Code's secret storage, never settings or logs. */
const API_KEY_SECRET = 'ropewalk.apiKey';

export class Ctx implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly log: vscode.LogOutputChannel;
  private readonly status: vscode.StatusBarItem;
  private readonly inference: InferenceClient;
  private session?: WorkspaceSession;
  private phase: SessionPhase | 'checking' = 'checking';
  private detail = 'Checking the model…';
  private lastOutcome?: CompletionOutcome;
  /** Why the last remote request failed (`server unreachable`, `401 unauthorized`, …), until one succeeds. */
  private remoteProblem?: string;
  /** The next attempt to reach a server that was unreachable at start. */
  private reconnect?: ReturnType<typeof setTimeout>;
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
          (e) => this.failed(e),
        ),
      ),
      vscode.commands.registerCommand('ropewalk.setApiKey', () => this.setApiKey()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restart()),
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

  /** What a workspace session reports back: log lines, its phase, pre-warming. */
  private sessionEvents(): SessionEvents {
    return {
      log: this.log,
      onPhase: (p, d) => this.setPhase(p, d),
      onWarming: (w) => {
        this.warming = w;
        this.render();
      },
    };
  }

  /**
   * Asks the configured server about its model and builds a session whose completions it serves; the
   * local model path, when set, is read as the same model's tokenizer (exact counts, ids sent).
   */
  private async startRemote(config: RopewalkConfig): Promise<void> {
    const kind = config.backend;
    if (kind === 'local') return;
    if (!config.endpoint) {
      const ignored =
        !vscode.workspace.isTrusted &&
        vscode.workspace.getConfiguration('ropewalk').inspect('endpoint')?.workspaceValue;
      throw new Error(
        ignored
          ? `ropewalk.backend is ${kind}, and the endpoint in this workspace's settings is not used while the workspace is untrusted`
          : `ropewalk.backend is ${kind} but ropewalk.endpoint is not set`,
      );
    }
    let localTokenizer: PromptTokenizer | undefined;
    if (config.modelPath) {
      try {
        localTokenizer = loadModelTokenizer(config.modelPath);
      } catch (error) {
        this.log.warn(
          `ropewalk.modelPath ${config.modelPath} is not readable as a tokenizer (${(error as Error).message}): token counts are estimated`,
        );
      }
    }
    const apiKey = (await this.context.secrets.get(API_KEY_SECRET)) || undefined;
    const backend = remoteBackend(kind, config.endpoint, {
      model: config.remoteModel || undefined,
      apiKey,
      sendIds: localTokenizer !== undefined,
    });
    this.setPhase('checking', `Asking ${kind} at ${backend.endpoint} about its model…`);
    const model = await connectRemote(backend, { family: config.remoteFamily, localTokenizer });
    const label = `${kind}${model.facts.model ? ` ${model.facts.model.split(/[\\/]/).pop()}` : ''}`;
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    this.session = new WorkspaceSession(
      root,
      undefined,
      kind,
      engineOf(backend, model),
      this.context.extensionPath,
      this.context.globalStorageUri.fsPath,
      this.sessionEvents(),
      this.autoRope,
      { model, label },
    );
    await this.session.buildIndex();
  }

  /** Opens (and checks) the model in the inference process, then builds a session over the workspace. */
  private restart(): Promise<void> {
    const run = async () => {
      clearTimeout(this.reconnect);
      this.session?.dispose();
      this.session = undefined;
      this.remoteProblem = undefined;
      this.setPhase('checking', 'Checking the model…');
      const dir = this.modelDir();
      const config = readConfig();
      if (config.backend !== 'local') {
        try {
          await this.startRemote(config);
        } catch (error) {
          const e = error as Error;
          this.log.error(
            `${config.backend} at ${config.endpoint || '(no endpoint)'}: ${e.message}`,
          );
          this.remoteProblem = e instanceof RemoteBackendError ? e.reason : undefined;
          this.setPhase('error', e.message);
          // A server that is not up yet (or restarting) is asked again; a wrong setting waits for a change.
          if (e instanceof RemoteBackendError && ['unreachable', 'timeout'].includes(e.failure)) {
            this.log.info(`asking ${config.endpoint} again in ${RECONNECT_MS / 1000} s`);
            this.reconnect = setTimeout(() => void this.restart(), RECONNECT_MS);
          }
        }
        return;
      }
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
          this.sessionEvents(),
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
    if (o.source === 'engine') this.remoteProblem = undefined;
    this.render();
  }

  /** A completion failed: a server's failure is shown in the status bar with its reason. */
  private failed(error: Error): void {
    if (!(error instanceof RemoteBackendError)) return;
    this.remoteProblem = error.reason;
    this.render();
  }

  private async setApiKey(): Promise<void> {
    const key = await vscode.window.showInputBox({
      title: 'Ropewalk: API key of the remote backend',
      prompt:
        "Kept in VS Code's secret storage, sent as a Bearer token to ropewalk.endpoint. Empty: remove it.",
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    if (key.trim()) await this.context.secrets.store(API_KEY_SECRET, key.trim());
    else await this.context.secrets.delete(API_KEY_SECRET);
    this.log.info(key.trim() ? 'API key stored in secret storage' : 'API key removed');
    if (readConfig().backend !== 'local') await this.restart();
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
    const problem = this.remoteProblem;
    const cached = (x: CompletionOutcome) =>
      x.cacheUnknown
        ? ' · cache not reported'
        : x.reusedTokens !== undefined
          ? ` · ${(x.reusedTokens / 1000).toFixed(1)}k cached`
          : ' · cache hit';
    const figures = problem
      ? ` — ${problem}`
      : warming
        ? ' warming'
        : this.phase === 'ready' && o
          ? ` ${o.latencyMs.toFixed(0)} ms${cached(o)}`
          : '';
    const session = this.session;
    const model = session?.model
      ? modelInUse(
          session.model.card,
          readConfig().contextBudget ||
            defaultBudget(session.provider, session.model.card.trainLength),
        )
      : session?.remote
        ? { name: session.remote.label, detail: session.remote.model.summary }
        : undefined;
    const shownIcon = problem ? '$(error)' : icon;
    const shownDevice = session?.remote ? '' : device;
    this.status.text = `${shownIcon} Ropewalk${model ? `: ${model.name}` : ''}${shownDevice ? ` ${shownDevice}` : ''}${figures}`;
    const stats = this.session?.service.stats;
    this.status.tooltip = [
      `Ropewalk: ${this.phase === 'ready' && !enabled ? 'disabled' : warming ? 'warming (pre-filling the KV cache at the cursor)' : this.phase} — ${this.detail}`,
      problem ? `last request failed: ${problem} (the log says more)` : '',
      model ? `model ${model.name}${shownDevice ? ` (${shownDevice})` : ''}: ${model.detail}` : '',
      this.session?.promptFormat ?? '',
      stats && stats.requests
        ? `${stats.requests} requests: ${stats.fromEngine} from the model, ${stats.fromCache} from the result cache, ${stats.cancelled} cancelled`
        : '',
      o?.promptTokens !== undefined
        ? `last prompt ${o.promptTokens} tokens, ${o.cacheUnknown ? 'cache use not reported by the server' : `${o.reusedTokens ?? 0} reused from the ${session?.remote ? "server's prefix cache" : 'KV cache'}`}`
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
    if (this.session?.remote) {
      void vscode.window.showWarningMessage(
        'Ropewalk: Run Benchmark measures the local model; for a server use `ropewalk reuse-bench DIR --typing --backend KIND --endpoint URL`.',
      );
      return;
    }
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
    clearTimeout(this.reconnect);
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
