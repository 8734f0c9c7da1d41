// `Ropewalk: Run Benchmark`: the length-extension benchmark on the open repository, run by the CLI in a
// child process (the extension host never loads onnxruntime), with progress, ETA and cancel; the
// report opens in a webview. Results go to VS Code's global storage, never into the repository.

import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { formatDuration, isBenchEvent, type BenchControl } from '../bench/bench-protocol';
import { renderReportHtml, type ReportData } from '../bench/report';

export interface BenchmarkTarget {
  root: string;
  modelDir: string;
  provider: string;
  /** ropewalk.kvCacheType, passed on as --kv-type. */
  kvType: string;
}

/** The output folder of a repository's runs: the same one each time, so that an interrupted run resumes. */
export function benchmarkDir(storage: string, root: string): string {
  return join(
    storage,
    'bench',
    `${basename(root)}-${createHash('sha1').update(root).digest('hex').slice(0, 8)}`,
  );
}

export async function runBenchmark(
  extensionPath: string,
  storage: string,
  target: BenchmarkTarget,
  log: vscode.LogOutputChannel,
): Promise<string | undefined> {
  const out = benchmarkDir(storage, target.root);
  // Running the repository's tests (pass@1) executes its code: only in a trusted workspace, on a scratch copy.
  const args = [
    'bench',
    target.root,
    '--out',
    out,
    '--model',
    target.modelDir,
    '--provider',
    target.provider,
    '--kv-type',
    target.kvType,
    ...(vscode.workspace.isTrusted ? ['--exec'] : []),
  ];
  log.info(`benchmark: ropewalk ${args.join(' ')}`);
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'Ropewalk benchmark',
      cancellable: true,
    },
    (progress, token) =>
      new Promise<string | undefined>((resolve) => {
        const child = fork(join(extensionPath, 'dist', 'cli.js'), args, {
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
        let last = 0;
        let reported: string | undefined;
        child.on('message', (m: unknown) => {
          if (!isBenchEvent(m)) return;
          if (m.type === 'progress') {
            const pct = (100 * m.done) / Math.max(1, m.total);
            const eta = m.phase === 'prepare' ? '' : `, about ${formatDuration(m.etaMs)} left`;
            progress.report({
              message: `${m.phase} ${m.done}/${m.total}${eta}`,
              increment: m.phase === 'prepare' ? 0 : Math.max(0, pct - last),
            });
            if (m.phase !== 'prepare') last = pct;
          } else if (m.type === 'log') log.info(`benchmark: ${m.line}`);
          else if (m.type === 'estimate')
            progress.report({
              message: `${m.pending} cells, about ${formatDuration(m.estimateMs)}`,
            });
          else if (m.type === 'done') reported = m.report;
          else if (m.type === 'error') log.error(`benchmark: ${m.name}: ${m.message}`);
        });
        // What is not a message (warnings of native libraries, the exit reason) still reaches the log.
        const copy = (chunk: Buffer) => log.info(`benchmark: ${chunk.toString('utf8').trimEnd()}`);
        child.stderr?.on('data', copy);
        child.stdout?.on('data', copy);
        // Cancel: the CLI finishes the current cell and writes what it has (a later run resumes).
        token.onCancellationRequested(() => {
          if (child.connected) child.send({ type: 'cancel' } satisfies BenchControl);
          else child.kill('SIGINT');
        });
        child.on('exit', (code) => {
          const report = reported ?? join(out, 'report.json');
          if ((code === 0 || code === 130) && existsSync(report)) resolve(report);
          else {
            log.error(`benchmark exited with ${code}`);
            void vscode.window
              .showErrorMessage('Ropewalk: the benchmark failed; see the log.', 'Show Log')
              .then((c) => c && log.show());
            resolve(undefined);
          }
        });
      }),
  );
}

export function showReport(extensionPath: string, reportJson: string): void {
  const data = JSON.parse(readFileSync(reportJson, 'utf8')) as ReportData;
  const panel = vscode.window.createWebviewPanel(
    'ropewalk.benchmark',
    `Ropewalk benchmark: ${data.meta.repository}`,
    vscode.ViewColumn.Active,
    {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.file(join(extensionPath, 'dist')),
        vscode.Uri.file(join(extensionPath, 'media')),
      ],
    },
  );
  const w = panel.webview;
  panel.webview.html = renderReportHtml(data, {
    inline: false,
    nonce: randomBytes(16).toString('base64'),
    cspSource: w.cspSource,
    scriptUri: w.asWebviewUri(vscode.Uri.file(join(extensionPath, 'dist', 'report.js'))).toString(),
    styleUri: w
      .asWebviewUri(vscode.Uri.file(join(extensionPath, 'media', 'report.css')))
      .toString(),
  });
}
