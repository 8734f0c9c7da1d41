// Typed view of the `ropewalk.*` settings; bad values fall back to defaults instead of throwing.

import * as vscode from 'vscode';
import { PROVIDER_SETTINGS, type ProviderSetting } from '../model/providers';

export interface RopewalkConfig {
  modelPath: string;
  executionProvider: ProviderSetting;
}

const PROVIDERS: ReadonlySet<string> = new Set(PROVIDER_SETTINGS);

export function readConfig(): RopewalkConfig {
  const c = vscode.workspace.getConfiguration('ropewalk');
  const modelPath = c.get<unknown>('modelPath');
  const ep = c.get<unknown>('executionProvider');
  return {
    modelPath: typeof modelPath === 'string' ? modelPath.trim() : '',
    executionProvider: typeof ep === 'string' && PROVIDERS.has(ep) ? (ep as ProviderSetting) : 'auto',
  };
}
