// LM Studio's models folder (lmstudio.ai/docs "Import Models"): `<models>/<publisher>/<model>/<file>.gguf`,
// the layout of the Hugging Face repository it came from. <models> is `models` in LM Studio's home:
// ~/.lmstudio (when it was moved, ~/.lmstudio-home-pointer holds its path), in older versions
// ~/.cache/lm-studio.

import type { FoundModel } from './found-model';
import { foldShards, ggufFilesUnder } from './gguf-walk';

/** Labelled `publisher/model/file.gguf`. Vision projectors (`mmproj-*.gguf`) are listed too: their architecture says what they are. */
export function lmStudioModels(root: string): FoundModel[] {
  return foldShards(ggufFilesUnder(root, { maxDepth: 3 }), 'lm-studio', root);
}
