// Execution-provider settings and the order `auto` tries them in; no onnxruntime import, so the
// editor side can read settings without loading native code.

import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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

/**
 * Threads for onnxruntime's CPU kernels: one per physical core this process may use, as llama.cpp
 * counts them. onnxruntime's own default (0) took one thread on this project's 2-core Linux machine
 * (two cores, one thread each), which ran every product single-threaded: decoding the Qwen2.5-0.5B shape
 * took 33 ms/token instead of 20. On Linux the cores are counted from /proc/cpuinfo (SMT siblings share
 * a core id); elsewhere undefined, onnxruntime's default.
 */
export function cpuThreads(
  platform: NodeJS.Platform = process.platform,
  cpuinfo: () => string = () => readFileSync('/proc/cpuinfo', 'utf8'),
  available: number = availableParallelism(),
): number | undefined {
  if (platform !== 'linux') return undefined;
  let text: string;
  try {
    text = cpuinfo();
  } catch {
    return available;
  }
  const cores = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (core !== undefined) cores.add(`${physical ?? 0}:${core}`);
  }
  // No core ids (some ARM kernels, containers): every CPU the process may use.
  return Math.max(1, Math.min(cores.size || available, available));
}
