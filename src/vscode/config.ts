// Typed view of the `ropewalk.*` settings; bad values fall back to defaults instead of throwing.

import * as vscode from 'vscode';
import { debounceMsFrom } from '../completion/debounce';
import { DEFAULT_VSCODE_LANGUAGES } from '../context/languages';
import { isContextStrategy, type ContextStrategy } from '../context/proposals';
import { isKvTypeSetting, type KvTypeSetting } from '../model/kv-type';
import { isRopeMethod, type RopeMethod } from '../model/rope';
import { PROVIDER_SETTINGS, type ProviderSetting } from '../model/providers';
import { BACKENDS, type BackendKind } from '../model/remote/remote-backend';
import {
  REMOTE_FAMILIES,
  trustedValue,
  type RemoteFamilySetting,
} from '../completion/remote-setup';

export interface RopewalkConfig {
  enabled: boolean;
  modelPath: string;
  /** More places to look for GGUF models (`~` expanded by discovery); empty strings dropped. */
  modelFolders: readonly string[];
  executionProvider: ProviderSetting;
  /** Tokens; 0 = chosen by the device (CPU or GPU). */
  contextBudget: number;
  /** The KV cache's element type; auto = fp16 where the cache is big (model/kv-type.ts). */
  kvCacheType: KvTypeSetting;
  ropeMethod: RopeMethod | 'auto';
  maxTokens: number;
  debounceMs: number;
  languages: readonly string[];
  contextStrategy: ContextStrategy;
  maxIndexedFiles: number;
  /** Each completion's prompt, decoded, into the log. */
  logPrompts: boolean;
  /** Where completions are computed; a workspace's own choice is ignored while it is untrusted. */
  backend: BackendKind;
  /** The server's URL ('' when unset); from the user's settings only in an untrusted workspace. */
  endpoint: string;
  remoteModel: string;
  remoteFamily: RemoteFamilySetting;
}

/** The settings that change which server (or model) completes: a new session when they change. */
export const BACKEND_SETTINGS = ['backend', 'endpoint', 'remoteModel', 'remoteFamily'] as const;

const PROVIDERS: ReadonlySet<string> = new Set(PROVIDER_SETTINGS);
/** `ropewalk.languages` when unset or malformed: every VS Code id of every language (package.json's default, tested). */
export const DEFAULT_LANGUAGES: readonly string[] = DEFAULT_VSCODE_LANGUAGES;

function int(value: unknown, fallback: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value)
    ? Math.min(max, Math.max(min, Math.round(value)))
    : fallback;
}

export function readConfig(): RopewalkConfig {
  const c = vscode.workspace.getConfiguration('ropewalk');
  const modelPath = c.get<unknown>('modelPath');
  const modelFolders = c.get<unknown>('modelFolders');
  const ep = c.get<unknown>('executionProvider');
  const rope = c.get<unknown>('ropeMethod');
  const strategy = c.get<unknown>('contextStrategy');
  const languages = c.get<unknown>('languages');
  const kvCacheType = c.get<unknown>('kvCacheType');
  const trusted = vscode.workspace.isTrusted;
  const backend = trustedValue(c.inspect<unknown>('backend'), trusted);
  const endpoint = trustedValue(c.inspect<unknown>('endpoint'), trusted);
  const remoteModel = trustedValue(c.inspect<unknown>('remoteModel'), trusted);
  const remoteFamily = c.get<unknown>('remoteFamily');
  return {
    enabled: c.get<unknown>('enabled') !== false,
    modelPath: typeof modelPath === 'string' ? modelPath.trim() : '',
    modelFolders: Array.isArray(modelFolders)
      ? modelFolders
          .filter((f): f is string => typeof f === 'string' && f.trim() !== '')
          .map((f) => f.trim())
      : [],
    executionProvider:
      typeof ep === 'string' && PROVIDERS.has(ep) ? (ep as ProviderSetting) : 'auto',
    contextBudget: int(c.get('contextBudget'), 0, 0, 131072),
    kvCacheType: isKvTypeSetting(kvCacheType) ? kvCacheType : 'auto',
    ropeMethod: isRopeMethod(rope) ? rope : 'auto',
    maxTokens: int(c.get('maxTokens'), 64, 1, 512),
    debounceMs: debounceMsFrom(c.get('debounceMs')),
    languages:
      Array.isArray(languages) && languages.every((l) => typeof l === 'string')
        ? languages
        : DEFAULT_LANGUAGES,
    contextStrategy: isContextStrategy(strategy) ? strategy : 'ast',
    maxIndexedFiles: int(c.get('maxIndexedFiles'), 20000, 100, 200000),
    logPrompts: c.get<unknown>('logPrompts') === true,
    backend:
      typeof backend === 'string' && (BACKENDS as readonly string[]).includes(backend)
        ? (backend as BackendKind)
        : 'local',
    endpoint: typeof endpoint === 'string' ? endpoint.trim() : '',
    remoteModel: typeof remoteModel === 'string' ? remoteModel.trim() : '',
    remoteFamily:
      typeof remoteFamily === 'string' &&
      (REMOTE_FAMILIES as readonly string[]).includes(remoteFamily)
        ? (remoteFamily as RemoteFamilySetting)
        : 'auto',
  };
}
