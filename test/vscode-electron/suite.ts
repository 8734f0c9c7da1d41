// The end-to-end checks through the VS Code API, inside the extension host that @vscode/test-electron starts.
// Same scenarios as test/e2e (test/e2e/scenarios.json); what the API cannot see (status bar text, ghost text
// on screen) is checked through what it can: commands, the document after an inline suggestion is committed.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { repoRoot } from '../repo-root';

interface Scenarios {
  activation: { extensionId: string; commands: Record<string, string> };
  ghostText: { file: string; typedLines: string[]; completedLine: string; why: string };
}

const scenarios = JSON.parse(
  readFileSync(join(repoRoot(), 'test', 'e2e', 'scenarios.json'), 'utf8'),
) as Scenarios;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function activation(): Promise<void> {
  const { extensionId, commands } = scenarios.activation;
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `extension ${extensionId} is not installed`);
  await extension.activate();
  const all = await vscode.commands.getCommands(true);
  for (const id of Object.keys(commands))
    assert.ok(all.includes(id), `command ${id} is not registered`);
  await vscode.commands.executeCommand('ropewalk.showLog'); // shows the Ropewalk output channel
}

async function ghostText(): Promise<void> {
  const { file, typedLines, completedLine, why } = scenarios.ghostText;
  const workspace = vscode.workspace.workspaceFolders?.[0];
  assert.ok(workspace, 'no workspace folder open');
  const document = await vscode.workspace.openTextDocument(
    vscode.Uri.joinPath(workspace.uri, file),
  );
  const editor = await vscode.window.showTextDocument(document);
  const before = document.getText();
  const end = document.lineAt(document.lineCount - 1).range.end;
  await editor.edit((e) => e.insert(end, typedLines.join('\n')));
  const last = document.lineAt(document.lineCount - 1).range.end;
  editor.selection = new vscode.Selection(last, last);
  const typed = document.getText();
  const deadline = Date.now() + Number(process.env.E2E_GHOST_TIMEOUT_MS ?? 30_000);
  while (document.getText() === typed && Date.now() < deadline) {
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await sleep(1000);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit'); // what Tab does
  }
  const after = document.getText();
  assert.notEqual(
    after,
    typed,
    `no inline completion was committed after typing '${typedLines.at(-1)?.trim()}' in ${file}`,
  );
  const line = after.slice(before.length).split('\n')[typedLines.length - 1] ?? '';
  assert.match(line, new RegExp(completedLine), `the accepted line '${line.trim()}' (${why})`);
}

const CASES: Record<string, () => Promise<void>> = { activation, 'ghost-text': ghostText };

/** Entry point that @vscode/test-electron calls; a rejection fails the run. */
export async function run(): Promise<void> {
  const names = (process.env.E2E_CASES ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const failures: string[] = [];
  for (const name of names.length ? names : Object.keys(CASES)) {
    const test = CASES[name];
    if (!test) throw new Error(`unknown case ${name}; cases: ${Object.keys(CASES).join(', ')}`);
    try {
      await test();
      console.log(`✔ ${name}`);
    } catch (error) {
      failures.push(name);
      console.log(`✘ ${name}: ${(error as Error).message}`);
    }
  }
  if (failures.length) throw new Error(`${failures.length} case(s) failed: ${failures.join(', ')}`);
}
