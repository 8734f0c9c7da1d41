// Random-weight GGUF models of each model family, written at test time for the end-to-end suite: the
// family's vocabulary (test/packing/family-specs.ts, special tokens renumbered to keep the file small)
// over its architecture's tensors. run.mjs bundles this file on the fly.

import { join } from 'node:path';
import type { DecoderArchitecture } from '../../src/model/graph/decoder-spec';
import { GGML_TYPES } from '../../src/model/gguf/ggml-types';
import type { GgufValue } from '../../src/model/gguf/gguf-values';
import { writeGguf, type GgufTensorToWrite } from '../../src/model/gguf/gguf-writer';
import { randomWeights, shapeMetadata, smallSpec } from '../model/graph/random-weights';
import { FAMILY_VOCABS, wordsOf } from '../packing/family-specs';
import { familyVocabMetadata } from '../packing/family-vocab';

export type ModelFamily = keyof typeof FAMILY_VOCABS;

/** The architecture each family's released models have. */
const ARCHITECTURES: Record<ModelFamily, DecoderArchitecture> = {
  'qwen2.5-coder': 'qwen2',
  starcoder2: 'starcoder2',
  'deepseek-coder': 'llama',
  codellama: 'llama',
  codegemma: 'gemma',
};

export interface FamilyModel {
  family: ModelFamily;
  architecture: DecoderArchitecture;
  /** general.name: what the log and the status bar call the model. */
  name: string;
  path: string;
}

/**
 * Writes one GGUF file per family under dir. `texts`: code whose words the vocabularies learn, so that
 * prompts over it are a few hundred tokens rather than one per byte.
 */
export function writeFamilyModels(dir: string, texts: readonly string[]): FamilyModel[] {
  const words = wordsOf(texts);
  return (Object.keys(FAMILY_VOCABS) as ModelFamily[]).map((family, i) => {
    const architecture = ARCHITECTURES[family];
    const name = `ropewalk-random-${family}`;
    const vocab = familyVocabMetadata(
      name,
      { ...FAMILY_VOCABS[family], words },
      { compact: true },
    ).filter(([k]) => k !== 'general.architecture');
    const tokens = vocab.find(([k]) => k === 'tokenizer.ggml.tokens')?.[1];
    const vocabSize = tokens?.type === 'array' ? tokens.value.length : 0;
    const spec = smallSpec(architecture, vocabSize);
    const str = (value: string): GgufValue => ({ type: 'string', value });
    const metadata: Array<[string, GgufValue]> = [
      ['general.architecture', str(architecture)],
      ['general.name', str(name)],
      // Long enough that the editor's default budget needs no RoPE scaling.
      ...shapeMetadata(spec, 16384, 10000),
      ...vocab,
    ];
    // ggml order: the fastest-varying dimension first ([K, N] for an [N, K] matrix).
    const tensors: GgufTensorToWrite[] = [...randomWeights(spec, 17 + i)].map(([n, w]) => ({
      name: n,
      dims: [...w.dims].reverse(),
      type: GGML_TYPES.F32.id,
      data: new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength),
    }));
    const path = join(dir, `${family}-random.gguf`);
    writeGguf(path, { metadata, tensors });
    return { family, architecture, name, path };
  });
}
