// A CompletionEngine over a Generator in this process: the CLI and the benchmark run the model
// in-process; the extension host instead talks to the inference process (same Generator there).

import type { Generator } from '../model/generate';
import type { CompletionEngine } from './complete-once';

export function localEngine(generator: Generator, provider?: string): CompletionEngine {
  return {
    generate: async (prompt, rope, options, live) => ({
      ...(await generator.generate(prompt, rope, { ...options, signal: live.signal })),
      provider,
    }),
  };
}
