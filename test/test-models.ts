// Test helper: the committed models' folders, with model building pointed at a model cache of the test
// file's own (a temp folder, removed when the file's tests end) instead of the user's ~/.cache: a folder
// holding model.gguf is built into the cache when it is first loaded. Child processes (the CLI, the
// inference process) inherit the setting through XDG_CACHE_HOME.

import { join } from 'node:path';
import { defaultModelDir } from '../src/model/model-location';
import { repoRoot } from './repo-root';
import { tempDir } from './temp-dir';

// Made when the test file loads, outside any test or hook: a folder made inside one would be removed
// when that test ends, and a later test (or a child process) would build into a folder nobody removes.
const cacheHome = tempDir('ropewalk-cache-');

/** XDG_CACHE_HOME for this test file: one temp folder, set before any model is loaded. */
export function useTestModelCache(): string {
  process.env.XDG_CACHE_HOME = cacheHome;
  return cacheHome;
}

/** models/NAME, with the test model cache in use. */
export function committedModel(name: 'tiny' | 'small-cpu'): string {
  useTestModelCache();
  return join(repoRoot(), 'models', name);
}

/** The model the extension and the CLI use when none is named, with the test model cache in use. */
export function bundledModel(): string {
  useTestModelCache();
  return defaultModelDir(repoRoot());
}
