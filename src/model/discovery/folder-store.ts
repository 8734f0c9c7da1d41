// A folder the user names (`ropewalk.modelFolders`, `ropewalk models --folders`): its `.gguf` files at any
// depth, or, when the folder is an ollama store or a Hugging Face cache, that store's models by its layout.

import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readProblem, type FoundModel } from './found-model';
import { foldShards, ggufFilesUnder } from './gguf-walk';
import { hfCacheModels, isHfCache } from './hf-cache-store';
import { isOllamaStore, ollamaModels } from './ollama-store';

/** Deep enough for `org/repo/quant/file.gguf` trees; bounded so that a home folder does not hang the list. */
const FOLDER_LIMITS = { maxDepth: 6, maxEntries: 50_000 };

export function folderModels(path: string): FoundModel[] {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    return [
      {
        store: 'folder',
        root: path,
        label: path,
        path,
        problem: `the folder ${readProblem(error)}`,
      },
    ];
  }
  if (isFile) return foldShards([{ path }], 'folder', dirname(path), () => basename(path));
  if (isOllamaStore(path)) return ollamaModels(path).map((m) => ({ ...m, store: 'ollama' }));
  if (isHfCache(path)) return hfCacheModels(path);
  return foldShards(ggufFilesUnder(path, FOLDER_LIMITS), 'folder', path);
}
