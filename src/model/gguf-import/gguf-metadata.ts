// Plain values out of a GGUF file's typed metadata: numbers as numbers (u64 included), arrays as JS arrays.

import type { GgufFile } from '../gguf/gguf-file';
import type { GgufValue } from '../gguf/gguf-values';

function plain(v: GgufValue): unknown {
  if (v.type === 'array') {
    const items = v.value as unknown;
    if (Array.isArray(items))
      return (items as unknown[]).map((x): unknown =>
        typeof x === 'object' && x !== null && 'type' in x ? plain(x as GgufValue) : x,
      );
    return Array.from(items as ArrayLike<number | bigint>, (x) =>
      typeof x === 'bigint' ? Number(x) : x,
    );
  }
  return typeof v.value === 'bigint' ? Number(v.value) : v.value;
}

/** The metadata as key → plain value (what vocabFromMetadata and the architecture reader take). */
export function plainMetadata(file: GgufFile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of file.metadata) out[k] = plain(v);
  return out;
}

export function metaNumber(
  meta: Readonly<Record<string, unknown>>,
  key: string,
): number | undefined {
  const v = meta[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function metaString(
  meta: Readonly<Record<string, unknown>>,
  key: string,
): string | undefined {
  const v = meta[key];
  return typeof v === 'string' ? v : undefined;
}
