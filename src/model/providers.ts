// Execution-provider settings and the order `auto` tries them in; no onnxruntime import, so the
// editor side can read settings without loading native code.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const PROVIDER_SETTINGS = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as const;
export type ProviderSetting = (typeof PROVIDER_SETTINGS)[number];

export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

/** Providers `auto` tries, best first; the CPU always last. CoreML is only used when asked for by name. */
export function candidateProviders(
  setting: ProviderSetting,
  platform: NodeJS.Platform = process.platform,
): string[] {
  if (setting !== 'auto') return [setting];
  if (platform === 'win32') return ['cuda', 'dml', 'webgpu', 'cpu'];
  if (platform === 'linux') return ['cuda', 'webgpu', 'cpu'];
  return ['webgpu', 'cpu'];
}

/** Folders where Linux distributions put shared libraries, besides $LD_LIBRARY_PATH. */
const LINUX_LIBRARY_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/lib64',
  '/lib',
];

/**
 * Why a provider `auto` would try cannot work on this machine, found without loading it; undefined
 * when nothing known is missing. WebGPU on Linux runs on Dawn's Vulkan backend: without the Vulkan
 * loader, Dawn prints its own warning on stderr (native code, which no log level silences) and fails,
 * so `auto` does not try it at all.
 */
export function missingPrerequisite(
  ep: string,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
  libraryPath: string = process.env.LD_LIBRARY_PATH ?? '',
): string | undefined {
  if (ep !== 'webgpu' || platform !== 'linux') return undefined;
  const dirs = [...libraryPath.split(':').filter(Boolean), ...LINUX_LIBRARY_DIRS];
  return dirs.some((d) => exists(join(d, 'libvulkan.so.1')))
    ? undefined
    : 'no Vulkan loader (libvulkan.so.1) on this machine, which WebGPU needs on Linux';
}
