// Finds the models already on this machine: each store's folders (from the environment the way each tool
// resolves them), the folders the user names, and what each model is from its header. Read-only.

import { readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { folderModels } from './folder-store';
import { readProblem, type FoundModel, type ModelStore } from './found-model';
import { describeGguf, type ModelFacts } from './gguf-facts';
import { hfCacheModels } from './hf-cache-store';
import { llamaCppModels } from './llama-cpp-store';
import { lmStudioModels } from './lm-studio-store';
import { ollamaModels } from './ollama-store';

/** Where the tools keep models depends on these; tests pass their own. */
export interface DiscoveryEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  platform: NodeJS.Platform;
  /** The Linux ollama service user's home (the install script's `/usr/share/ollama`). */
  ollamaServiceHome?: string;
}

export function currentEnvironment(): DiscoveryEnvironment {
  return { env: process.env, home: homedir(), platform: process.platform };
}

export interface StoreRoot {
  store: ModelStore;
  dir: string;
  /** Where the folder came from: an environment variable, a tool's default, a setting. */
  from: string;
}

const LISTERS: Readonly<Record<ModelStore, (root: string) => FoundModel[]>> = {
  ollama: ollamaModels,
  'lm-studio': lmStudioModels,
  'hf-cache': hfCacheModels,
  'llama-cpp': llamaCppModels,
  folder: folderModels,
};

/** A variable that is set to something (an empty one counts as unset, as the tools treat it). */
const set = (e: DiscoveryEnvironment, name: string) => e.env[name] || undefined;

/** `~/x` as the home folder's x: settings are written that way. */
export function expandHome(path: string, home = homedir()): string {
  if (path === '~') return home;
  return path.startsWith('~/') || path.startsWith('~\\') ? join(home, path.slice(2)) : path;
}

function lmStudioHome(e: DiscoveryEnvironment): string | undefined {
  try {
    const first = readFileSync(join(e.home, '.lmstudio-home-pointer'), 'utf8').split(/\r?\n/)[0];
    return first?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The folders each store uses on this machine, as each tool resolves them (see each store's file). */
export function storeRoots(e: DiscoveryEnvironment = currentEnvironment()): StoreRoot[] {
  const roots: StoreRoot[] = [];
  const add = (store: ModelStore, dir: string | undefined, from: string) => {
    if (dir) roots.push({ store, dir: resolve(expandHome(dir, e.home)), from });
  };
  const xdgCache = set(e, 'XDG_CACHE_HOME') ?? join(e.home, '.cache');

  add('ollama', set(e, 'OLLAMA_MODELS'), 'OLLAMA_MODELS');
  add('ollama', join(e.home, '.ollama', 'models'), "ollama's default");
  if (e.platform === 'linux')
    add(
      'ollama',
      join(e.ollamaServiceHome ?? '/usr/share/ollama', '.ollama', 'models'),
      "ollama's Linux service",
    );

  const pointer = lmStudioHome(e);
  add('lm-studio', pointer && join(pointer, 'models'), '~/.lmstudio-home-pointer');
  add('lm-studio', join(e.home, '.lmstudio', 'models'), "LM Studio's default");
  add('lm-studio', join(e.home, '.cache', 'lm-studio', 'models'), "LM Studio's older default");

  const hfHome = set(e, 'HF_HOME');
  add(
    'hf-cache',
    set(e, 'HF_HUB_CACHE') ??
      set(e, 'HUGGINGFACE_HUB_CACHE') ??
      (hfHome ? join(hfHome, 'hub') : join(xdgCache, 'huggingface', 'hub')),
    set(e, 'HF_HUB_CACHE')
      ? 'HF_HUB_CACHE'
      : set(e, 'HUGGINGFACE_HUB_CACHE')
        ? 'HUGGINGFACE_HUB_CACHE'
        : hfHome
          ? 'HF_HOME'
          : "huggingface_hub's default",
  );

  const llamaCache = set(e, 'LLAMA_CACHE');
  if (llamaCache) add('llama-cpp', llamaCache, 'LLAMA_CACHE');
  else if (e.platform === 'darwin')
    add('llama-cpp', join(e.home, 'Library', 'Caches', 'llama.cpp'), "llama.cpp's default");
  else if (e.platform === 'win32')
    add(
      'llama-cpp',
      set(e, 'LOCALAPPDATA') && join(e.env.LOCALAPPDATA!, 'llama.cpp'),
      "llama.cpp's default",
    );
  else add('llama-cpp', join(xdgCache, 'llama.cpp'), "llama.cpp's default");
  return roots;
}

/** A model found, with what its header says, or why it could not be read. */
export interface DiscoveredModel extends FoundModel {
  facts?: ModelFacts;
  /** The same file reached from other places (another store, another snapshot, a link). */
  alsoAt?: string[];
}

export interface DiscoveryOptions {
  /** Store folders to look in; default: storeRoots(). */
  roots?: readonly StoreRoot[];
  /** Folders (or files) the user names: `ropewalk.modelFolders`, `--folders`. */
  folders?: readonly string[];
  environment?: DiscoveryEnvironment;
  /** Told of each model as its header is read (a quick pick fills in while the rest are read). */
  onModel?: (model: DiscoveredModel) => void;
}

function realOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Lets the event loop run between header reads (an editor's extension host stays responsive). */
const breathe = () => new Promise<void>((r) => setImmediate(r));

/**
 * Every model in every store and named folder, each file once, with its facts. Never throws for a
 * store's contents: an unreadable, corrupt or truncated file is listed with `problem` saying why.
 */
export async function discoverModels(options: DiscoveryOptions = {}): Promise<DiscoveredModel[]> {
  const environment = options.environment ?? currentEnvironment();
  const roots = [
    ...(options.roots ?? storeRoots(environment)),
    ...(options.folders ?? []).map((f): StoreRoot => ({
      store: 'folder',
      dir: resolve(expandHome(f, environment.home)),
      from: 'setting',
    })),
  ];
  const seenRoots = new Set<string>();
  const byFile = new Map<string, DiscoveredModel>();
  const out: DiscoveredModel[] = [];
  for (const root of roots) {
    const real = realOf(root.dir);
    if (seenRoots.has(`${root.store}\0${real}`)) continue; // OLLAMA_MODELS set to the default, say
    seenRoots.add(`${root.store}\0${real}`);
    let found: FoundModel[];
    try {
      found = LISTERS[root.store](root.dir);
    } catch (error) {
      // The listers catch what they expect; anything else about this root is listed, not thrown.
      found = [
        {
          store: root.store,
          root: root.dir,
          label: root.dir,
          path: root.dir,
          problem: readProblem(error),
        },
      ];
    }
    for (const f of found) {
      const key = realOf(f.path);
      const earlier = byFile.get(key);
      if (earlier && !f.problem) {
        (earlier.alsoAt ??= []).push(f.path);
        continue;
      }
      const model: DiscoveredModel = { ...f };
      if (!f.problem) {
        await breathe();
        try {
          model.facts = await describeGguf(f.path, {
            label: f.label,
            ...(f.shards && { shards: f.shards }),
            ...(f.shardCount && { shardCount: f.shardCount }),
          });
        } catch (error) {
          model.problem = readProblem(error, f.path);
        }
        byFile.set(key, model);
      }
      out.push(model);
      options.onModel?.(model);
    }
  }
  return out;
}

/** Whether `path` is absolute after `~` expansion (settings may hold relative paths, which mean nothing to an editor). */
export function isUsableFolderSetting(path: string, home = homedir()): boolean {
  return isAbsolute(expandHome(path, home));
}
