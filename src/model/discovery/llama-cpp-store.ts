// llama.cpp's download cache (`llama-cli -hf org/repo`, `llama-server -hf …`): GGUF files named
// `<org>_<repo>_<file>.gguf` beside `.json` / `.etag` notes, in the folder common.cpp's
// fs_get_cache_directory() gives: $LLAMA_CACHE, else $XDG_CACHE_HOME/llama.cpp or ~/.cache/llama.cpp
// (Linux), ~/Library/Caches/llama.cpp (macOS), %LOCALAPPDATA%\llama.cpp (Windows).
// Partial downloads (`….gguf.downloadInProgress`) do not end in .gguf and are not listed.

import type { FoundModel } from './found-model';
import { foldShards, ggufFilesUnder } from './gguf-walk';

export function llamaCppModels(root: string): FoundModel[] {
  return foldShards(ggufFilesUnder(root, { maxDepth: 2 }), 'llama-cpp', root);
}
