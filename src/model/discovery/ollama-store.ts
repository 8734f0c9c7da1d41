// ollama's model store: a manifest per tag names its layers by digest, and the layer of media type
// `application/vnd.ollama.image.model` is a plain GGUF file at `blobs/sha256-<hex>` (no extension).
// Layout (ollama's server/modelpath.go and docs/faq.md "Where are models stored?"):
//   <models>/manifests/<host>/<namespace>/<model>/<tag>    JSON, OCI-style: { layers: [{ mediaType, digest, size }] }
//   <models>/blobs/sha256-<hex>                            the digest with ':' turned into '-'
// <models> is $OLLAMA_MODELS, else ~/.ollama/models (macOS, Windows, a user's `ollama serve`) or
// /usr/share/ollama/.ollama/models (the Linux install script's service user).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readProblem, type FoundModel } from './found-model';

export const OLLAMA_MODEL_LAYER = 'application/vnd.ollama.image.model';
const DEFAULT_HOST = 'registry.ollama.ai';
const DEFAULT_NAMESPACE = 'library';

interface Manifest {
  layers?: Array<{ mediaType?: unknown; digest?: unknown }>;
}

/** Whether a folder is laid out as an ollama store (so a configured folder that is one is read as one). */
export function isOllamaStore(dir: string): boolean {
  return existsSync(join(dir, 'manifests')) && existsSync(join(dir, 'blobs'));
}

/** `qwen2.5-coder:1.5b-base-q8_0`, `user/model:tag`, `hf.co/org/repo:Q8_0`: what `ollama list` shows. */
export function ollamaName(host: string, namespace: string, model: string, tag: string): string {
  if (host === DEFAULT_HOST)
    return `${namespace === DEFAULT_NAMESPACE ? '' : `${namespace}/`}${model}:${tag}`;
  return `${host}/${namespace}/${model}:${tag}`;
}

function dirs(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function files(path: string): string[] {
  try {
    return readdirSync(path)
      .filter((n) => !n.startsWith('.'))
      .sort();
  } catch {
    return [];
  }
}

/** Every tag's model blob; a tag whose manifest or blob is unusable is listed with why. */
export function ollamaModels(root: string): FoundModel[] {
  const out: FoundModel[] = [];
  const manifests = join(root, 'manifests');
  for (const host of dirs(manifests))
    for (const namespace of dirs(join(manifests, host)))
      for (const model of dirs(join(manifests, host, namespace)))
        for (const tag of files(join(manifests, host, namespace, model))) {
          const manifestPath = join(manifests, host, namespace, model, tag);
          const label = ollamaName(host, namespace, model, tag);
          const found = fromManifest(root, manifestPath);
          out.push({ store: 'ollama', root, label, ...found });
        }
  return out;
}

function fromManifest(root: string, manifestPath: string): { path: string; problem?: string } {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch (error) {
    const why = error instanceof SyntaxError ? 'not JSON' : readProblem(error);
    return { path: manifestPath, problem: `its manifest ${manifestPath} is unreadable (${why})` };
  }
  const layer = manifest.layers?.find((l) => l.mediaType === OLLAMA_MODEL_LAYER);
  const digest = layer?.digest;
  if (typeof digest !== 'string' || !/^sha256[:-][0-9a-f]{64}$/i.test(digest))
    return { path: manifestPath, problem: 'its manifest names no model layer' };
  // Older ollama versions named blobs `sha256:<hex>`; current ones `sha256-<hex>`.
  const candidates = [digest.replace(':', '-'), digest.replace('-', ':')].map((n) =>
    join(root, 'blobs', n),
  );
  const blob = candidates.find((p) => existsSync(p)) ?? candidates[0]!;
  try {
    if (!statSync(blob).isFile()) return { path: blob, problem: 'its model blob is not a file' };
  } catch {
    return { path: blob, problem: `its model blob ${digest} is missing (an interrupted pull?)` };
  }
  return { path: blob };
}
