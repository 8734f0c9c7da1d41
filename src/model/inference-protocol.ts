// Messages between the extension (or CLI) and the inference child process.

import type { ModelCheckReport } from './model-check';

export type InferenceRequest = { id: number; type: 'check'; modelDir: string };

export type InferenceResponse =
  | { id: number; type: 'check'; report: ModelCheckReport }
  | { id: number; type: 'error'; name: string; message: string };
