// Messages between the extension (or CLI) and the inference child process.

import type { GenerateOptions, GenerateResult } from './generate';
import type { KvTypeSetting } from './kv-type';
import type { ModelFiles } from './model-card';
import type { ModelCheckReport } from './model-check';
import type { ProviderSetting } from './providers';
import type { RopeOptions } from './rope';

/** Names a model the process holds loaded; given out by `open`, valid until `close` or the next `open`. */
export type ModelHandle = number;

export type WireGenerateOptions = Omit<GenerateOptions, 'signal' | 'onText' | 'random'>;

/** What opening a model found: `handle` is absent when the golden cases failed (nothing is kept then). */
export interface OpenedModel {
  handle?: ModelHandle;
  report: ModelCheckReport;
  files: ModelFiles;
  /** The execution provider the model runs on (what `auto` settled on). */
  provider: string;
}

export type InferenceRequest =
  /** Reads the folder, loads the model, runs its golden cases; replaces any model opened before. */
  /** contextTokens: the KV cache the caller will fill, for the memory check before loading. */
  /** kvType: the KV cache's element type (default auto); the choice and its reason come back in report.kv. */
  | {
      id: number;
      type: 'open';
      modelDir: string;
      provider: ProviderSetting;
      contextTokens?: number;
      kvType?: KvTypeSetting;
    }
  | {
      id: number;
      type: 'generate';
      handle: ModelHandle;
      prompt: number[] | number[][];
      rope: { method: string; options?: RopeOptions };
      options: WireGenerateOptions;
    }
  | { id: number; type: 'close'; handle: ModelHandle }
  /** Cancels request `target`, queued or running; answered by the target's own reply. */
  | { id: number; type: 'cancel'; target: number };

export type InferenceResponse =
  | { id: number; type: 'open'; opened: OpenedModel }
  | { id: number; type: 'text'; piece: string }
  | { id: number; type: 'generate'; result: GenerateResult; provider: string }
  | { id: number; type: 'close' }
  | { id: number; type: 'error'; name: string; message: string };
