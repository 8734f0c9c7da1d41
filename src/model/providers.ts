// Execution-provider settings and the order `auto` tries them in; no onnxruntime import, so the
// editor side can read settings without loading native code.

export const PROVIDER_SETTINGS = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as const;
export type ProviderSetting = (typeof PROVIDER_SETTINGS)[number];

export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

/** Providers `auto` tries, best first; the CPU always last. CoreML is only used when asked for by name. */
export function candidateProviders(setting: ProviderSetting, platform: NodeJS.Platform = process.platform): string[] {
  if (setting !== 'auto') return [setting];
  if (platform === 'win32') return ['cuda', 'dml', 'webgpu', 'cpu'];
  if (platform === 'linux') return ['cuda', 'webgpu', 'cpu'];
  return ['webgpu', 'cpu'];
}

