// What discovery finds before reading any header: one model file (or one split set) in one store, named
// the way that store names it. Discovery only reads: it never copies, moves, writes or locks these files.

/** The places models are looked for; `folder` is one the user named (`ropewalk.modelFolders`, `--folders`). */
export const MODEL_STORES = ['ollama', 'lm-studio', 'hf-cache', 'llama-cpp', 'folder'] as const;
export type ModelStore = (typeof MODEL_STORES)[number];

/** How each store is called in lists. */
export const STORE_NAMES: Readonly<Record<ModelStore, string>> = {
  ollama: 'ollama',
  'lm-studio': 'LM Studio',
  'hf-cache': 'Hugging Face cache',
  'llama-cpp': 'llama.cpp cache',
  folder: 'folder',
};

export interface FoundModel {
  store: ModelStore;
  /** The store folder it was found under. */
  root: string;
  /** The store's own name for it: an ollama tag, `org/repo/file.gguf`, a path under the folder. */
  label: string;
  /** The file a loader opens (a split set's first shard). */
  path: string;
  /** A split GGUF set (`NAME-00001-of-00003.gguf`): every shard present, in order. */
  shards?: string[];
  /** How many shards the names say the set has. */
  shardCount?: number;
  /** Found, but unusable before any header is read (a manifest naming a missing blob, a broken link). */
  problem?: string;
}

/** A reason in a user's words from a file system or reader error: never a stack, never a crash. */
export function readProblem(error: unknown, path?: string): string {
  const e = error as NodeJS.ErrnoException;
  const byCode: Record<string, string> = {
    EACCES: 'cannot be read: permission denied',
    EPERM: 'cannot be read: permission denied',
    ENOENT: 'missing (a broken link or a deleted file)',
    EISDIR: 'is a folder, not a file',
    ELOOP: 'a link that points to itself',
  };
  const known = e?.code === undefined ? undefined : byCode[e.code];
  if (known) return known;
  const message = e instanceof Error ? e.message : String(error);
  // GgufFormatError says "<path> is not a usable GGUF file: …": the path is shown beside the reason already.
  return path && message.startsWith(path)
    ? message.slice(path.length).replace(/^:?\s*/, '')
    : message;
}
