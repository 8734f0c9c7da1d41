// Typed view of the `ropewalk.*` settings; bad values fall back to defaults instead of throwing.

import * as vscode from 'vscode';

export interface RopewalkConfig {
  modelPath: string;
  executionProvider: 'auto' | 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';
}

const PROVIDERS = new Set(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']);

export function readConfig(): RopewalkConfig {
  const c = vscode.workspace.getConfiguration('ropewalk');
  const modelPath = c.get<unknown>('modelPath');
  const ep = c.get<unknown>('executionProvider');
  return {
    modelPath: typeof modelPath === 'string' ? modelPath.trim() : '',
    executionProvider: typeof ep === 'string' && PROVIDERS.has(ep) ? (ep as RopewalkConfig['executionProvider']) : 'auto',
  };
}
