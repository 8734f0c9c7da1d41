// What a model path names, and the folder the engine loads for it: a GGUF file, or a folder holding
// model.gguf (Ropewalk's own models), is built once into the model cache; a folder with model.onnx (a
// contract-2 export, or a build) is used in place. Every caller that opens a model goes through here.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelNotFoundError } from './errors';
import { readGgufSync } from './gguf/gguf-file';
import { importGguf, isGgufPath, type ImportOptions } from './gguf-import/import-gguf';
import { plainMetadata } from './gguf-import/gguf-metadata';
import { readModelFiles, type ModelFiles } from './model-card';
import { GgufTokenizer } from './tokenizers/gguf-tokenizer';
import { vocabFromMetadata } from './tokenizers/gguf-vocab';
import { loadTokenizer, promptTokenizer, type PromptTokenizer } from './tokenizers/load-tokenizer';

/** The weights, tokenizer and card of a Ropewalk model folder, in one file. */
export const MODEL_GGUF = 'model.gguf';

export type ModelSource =
  /** `folder`: the Ropewalk model folder holding the file (its golden cases lie beside it). */
  { kind: 'gguf'; file: string; folder?: string } | { kind: 'onnx'; dir: string };

/** Which kind of model `path` is; ModelNotFoundError when it is none. */
export function modelSourceOf(path: string): ModelSource {
  if (isGgufPath(path)) return { kind: 'gguf', file: path };
  // model.gguf wins over a model.onnx beside it: one loading path for Ropewalk's own models. A corrupt
  // model.gguf is still taken as meant, so that the GGUF reader says what is wrong with it.
  const inFolder = join(path, MODEL_GGUF);
  if (existsSync(inFolder)) return { kind: 'gguf', file: inFolder, folder: path };
  if (existsSync(join(path, 'model.onnx'))) return { kind: 'onnx', dir: path };
  throw new ModelNotFoundError(path);
}

/** The files of the model at `path`; a GGUF is built into the model cache first (once per file). */
export async function openModelFiles(
  path: string,
  options: Pick<ImportOptions, 'cache' | 'log'> = {},
): Promise<ModelFiles> {
  const source = modelSourceOf(path);
  if (source.kind === 'onnx') return readModelFiles(source.dir);
  const files = readModelFiles(await importGguf(source.file, options));
  const goldenDir =
    source.folder && existsSync(join(source.folder, 'golden.json')) ? source.folder : undefined;
  return goldenDir ? { ...files, goldenDir } : files;
}

/** The tokenizer of the model at `path` without building it: a GGUF's vocabulary comes from its header. */
export function loadModelTokenizer(path: string): PromptTokenizer {
  const source = modelSourceOf(path);
  if (source.kind === 'onnx') return loadTokenizer(readModelFiles(source.dir).tokenizer);
  const vocab = vocabFromMetadata(plainMetadata(readGgufSync(source.file)));
  return promptTokenizer(new GgufTokenizer(vocab));
}
