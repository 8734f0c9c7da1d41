// Where the bundled models live, relative to the bundled script (dist/*.js → ../models).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_GGUF } from './model-source';

/** The default model shipped with Ropewalk: small-cpu until a better one lands, else tiny. */
export function defaultModelDir(root = join(__dirname, '..')): string {
  for (const name of ['small-cpu', 'tiny']) {
    const dir = join(root, 'models', name);
    if (existsSync(join(dir, MODEL_GGUF))) return dir;
  }
  return join(root, 'models', 'small-cpu');
}
