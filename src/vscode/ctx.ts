// Owns the extension's state: output channel, status bar, inference process, commands.

import { join } from 'node:path';
import * as vscode from 'vscode';
import { InferenceClient } from '../model/inference-client';
import { defaultModelDir } from '../model/model-location';
import { readConfig } from './config';

export class Ctx implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly log: vscode.LogOutputChannel;
  private readonly status: vscode.StatusBarItem;
  private readonly inference: InferenceClient;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Ropewalk', { log: true });
    this.status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
    this.status.name = 'Ropewalk';
    this.status.command = 'ropewalk.showStatus';
    this.setStatus('$(loading~spin) Ropewalk', 'Checking the model…');
    this.status.show();
    this.inference = new InferenceClient(join(context.extensionPath, 'dist', 'inference-process.js'), (l) => this.log.info(l));
    this.disposables.push(
      this.log,
      this.status,
      { dispose: () => this.inference.dispose() },
      vscode.commands.registerCommand('ropewalk.showLog', () => this.log.show()),
      vscode.commands.registerCommand('ropewalk.showStatus', () => this.showStatus()),
    );
    void this.checkModel();
  }

  private modelDir(): string {
    return readConfig().modelPath || defaultModelDir(this.context.extensionPath);
  }

  private setStatus(text: string, tooltip: string): void {
    this.status.text = text;
    this.status.tooltip = tooltip;
  }

  private async checkModel(): Promise<boolean> {
    const dir = this.modelDir();
    try {
      const report = await this.inference.checkModel(dir, readConfig().executionProvider);
      this.log.info(`model ${report.model} at ${dir}: loaded in ${report.loadMs.toFixed(0)} ms on ${report.provider}, golden cases ${report.ok ? 'pass' : 'FAIL'}`);
      this.setStatus(report.ok ? '$(check) Ropewalk' : '$(warning) Ropewalk', `${report.model} (${report.provider.toUpperCase()})`);
      return report.ok;
    } catch (error) {
      this.log.error(`model at ${dir}: ${(error as Error).message}`);
      this.setStatus('$(error) Ropewalk', (error as Error).message);
      return false;
    }
  }

  private async showStatus(): Promise<void> {
    const ok = await this.checkModel();
    const choice = await vscode.window.showInformationMessage(
      `Ropewalk: ${this.status.tooltip as string}${ok ? '' : ' — see the log'}`, 'Show Log');
    if (choice) this.log.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
