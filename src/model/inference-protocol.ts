// Messages between the extension (or CLI) and the inference child process.

import type { GenerateOptions, GenerateResult } from './generate';
import type { ModelCheckReport } from './model-check';
import type { ProviderSetting } from './providers';
import type { RopeOptions } from './rope';

export interface EngineSpec {
  modelDir: string;
  provider: ProviderSetting;
}

export type WireGenerateOptions = Omit<GenerateOptions, 'signal' | 'onText' | 'random'>;

export type InferenceRequest =
  | { id: number; type: 'check'; modelDir: string; provider: ProviderSetting }
  | { id: number; type: 'generate'; engine: EngineSpec; prompt: number[] | number[][]; rope: { method: string; options?: RopeOptions }; options: WireGenerateOptions }
  /** Cancels request `target`, queued or running; answered by the target's own reply. */
  | { id: number; type: 'cancel'; target: number };

export type InferenceResponse =
  | { id: number; type: 'check'; report: ModelCheckReport }
  | { id: number; type: 'text'; piece: string }
  | { id: number; type: 'generate'; result: GenerateResult; provider: string }
  | { id: number; type: 'error'; name: string; message: string };
