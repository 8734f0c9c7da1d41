// `Ropewalk: Run Benchmark`: the length-extension benchmark on the open repository, run by the CLI in a
// child process (the extension host never loads onnxruntime), with progress, ETA and cancel; the
// report opens in a webview. Results go to VS Code's global storage, never into the repository.

import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { renderReportHtml, type ReportData } from '../bench/report';

export interface BenchmarkTarget {
  root: string;
  modelDir: string;
  provider: string;
}

/** The output folder of a repository's runs: the same one each time, so that an interrupted run resumes. */
export function benchmarkDir(storage: string, root: string): string {
  return join(storage, 'bench', `${basename(root)}-${createHash('sha1').update(root).digest('hex').slice(0, 8)}`);
}

export async function runBenchmark(extensionPath: string, storage: string, target: BenchmarkTarget, log: vscode.LogOutputChannel): Promise<string | undefined> {
  const out = benchmarkDir(storage, target.root);
  // Running the repository's tests (pass@1) executes its code: only in a trusted workspace, on a scratch copy.
  const args = ['bench', target.root, '--out', out, '--model', target.modelDir, '--provider', target.provider, ...(vscode.workspace.isTrusted ? ['--exec'] : [])];
  log.info(`benchmark: ropewalk ${args.join(' ')}`);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Ropewalk benchmark', cancellable: true },
    (progress, token) => new Promise<string | undefined>((resolve) => {
      const child = fork(join(extensionPath, 'dist', 'cli.js'), args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      let last = 0;
      let buffered = '';
      // The CLI redraws one progress line with \r: `[phase] done/total elapsed ETA …  label`.
      child.stderr?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const parts = buffered.split(/[\r\n]/);
        buffered = parts.pop() ?? '';
        for (const raw of parts) {
          const line = raw.replaceAll('\x1b[K', '').trim();
          if (!line) continue;
          const m = /^\[(\w+)\] (\d+)\/(\d+) (.+?)(?: ETA (.+?))?(?:\s{2}|$)/.exec(line);
          if (m) {
            const pct = (100 * Number(m[2])) / Math.max(1, Number(m[3]));
            progress.report({ message: `${m[1]} ${m[2]}/${m[3]}${m[5] ? `, about ${m[5]} left` : ''}`, increment: m[1] === 'prepare' ? 0 : Math.max(0, pct - last) });
            if (m[1] !== 'prepare') last = pct;
          } else {
            log.info(`benchmark: ${line}`);
            if (/^(planned|estimated time)/.test(line)) progress.report({ message: line });
          }
        }
      });
      child.stdout?.on('data', (chunk: Buffer) => log.info(`benchmark: ${chunk.toString('utf8').trimEnd()}`));
      // Cancel = the CLI's interrupt: it finishes the current cell and writes what it has (a later run resumes).
      token.onCancellationRequested(() => child.kill('SIGINT'));
      child.on('exit', (code) => {
        const report = join(out, 'report.json');
        if ((code === 0 || code === 130) && existsSync(report)) resolve(report);
        else {
          log.error(`benchmark exited with ${code}`);
          void vscode.window.showErrorMessage('Ropewalk: the benchmark failed; see the log.', 'Show Log').then((c) => c && log.show());
          resolve(undefined);
        }
      });
    }),
  );
}

export function showReport(extensionPath: string, reportJson: string): void {
  const data = JSON.parse(readFileSync(reportJson, 'utf8')) as ReportData;
  const panel = vscode.window.createWebviewPanel('ropewalk.benchmark', `Ropewalk benchmark: ${data.meta.repository}`, vscode.ViewColumn.Active, {
    enableScripts: true, localResourceRoots: [vscode.Uri.file(join(extensionPath, 'dist')), vscode.Uri.file(join(extensionPath, 'media'))],
  });
  const w = panel.webview;
  panel.webview.html = renderReportHtml(data, {
    inline: false, nonce: randomBytes(16).toString('base64'), cspSource: w.cspSource,
    scriptUri: w.asWebviewUri(vscode.Uri.file(join(extensionPath, 'dist', 'report.js'))).toString(),
    styleUri: w.asWebviewUri(vscode.Uri.file(join(extensionPath, 'media', 'report.css'))).toString(),
  });
}
