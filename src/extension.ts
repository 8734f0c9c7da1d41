// Extension entry: builds the context and hands it its disposables; nothing else happens here.

import type * as vscode from 'vscode';
import { Ctx } from './vscode/ctx';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): void {
  ctx = new Ctx(context);
  context.subscriptions.push(ctx);
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
