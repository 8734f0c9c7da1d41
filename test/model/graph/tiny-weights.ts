// Test helper: models/tiny's shape and weights by GGUF tensor name, read from its model.gguf as float rows
// in rotate-half order (what the graph builder takes), so that TypeScript-built graphs can be checked
// against tiny's PyTorch golden cases.

import { join } from 'node:path';
import type { DecoderSpec, FloatWeight } from '../../../src/model/graph/decoder-spec';
import { readGgufSync } from '../../../src/model/gguf/gguf-file';
import { shapeFromGguf } from '../../../src/model/gguf-import/architecture';
import { plainMetadata } from '../../../src/model/gguf-import/gguf-metadata';
import { ggufWeights } from '../../../src/model/gguf-import/gguf-weights';
import { repoRoot } from '../../repo-root';

export const tinyGguf = (): string => join(repoRoot(), 'models', 'tiny', 'model.gguf');

/** models/tiny's shape, from its GGUF keys (as the importer reads it). */
export function tinySpec(): DecoderSpec {
  const file = readGgufSync(tinyGguf());
  return shapeFromGguf(file, plainMetadata(file)).spec;
}

/** Every tensor of models/tiny/model.gguf as float ([N, K] per matrix), Q/K rows back in rotate-half order. */
export function tinyWeights(): Map<string, FloatWeight> {
  const file = readGgufSync(tinyGguf());
  const source = ggufWeights(file, tinySpec());
  const out = new Map<string, FloatWeight>();
  for (const t of file.tensors) {
    const w = source.get(t.name);
    if (w?.kind !== 'float') throw new Error(`${t.name} is not a float tensor`);
    out.set(t.name, w);
  }
  return out;
}
