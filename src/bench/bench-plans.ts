// The benchmark's preset sizes. The default answers the three questions (quality vs length per method,
// AST vs in-file vs Jaccard context, needle beyond the training length) within 15 minutes on 2 CPU
// cores with the default model; --large is the full grid.

import { CONTEXT_STRATEGIES, type ContextStrategy } from '../context/proposals';

export interface BenchPreset {
  budgets: number[];
  strategies: ContextStrategy[];
  samples: number;
  maxTokens: number;
  needle: { lengths: number[]; depths: number[]; trials: number };
  perplexity: { lengths: number[]; windows: number };
}

export const BENCH_DEFAULT: BenchPreset = {
  budgets: [1024, 2048, 4096],
  strategies: ['infile', 'jaccard', 'ast'],
  samples: 10,
  maxTokens: 64,
  needle: { lengths: [1024, 2048, 4096, 8192], depths: [0, 0.5, 0.9], trials: 2 },
  perplexity: { lengths: [512, 1024, 2048, 4096, 8192], windows: 1 },
};

export const BENCH_LARGE: BenchPreset = {
  budgets: [1024, 2048, 4096, 8192, 16384, 32768],
  strategies: [...CONTEXT_STRATEGIES],
  samples: 50,
  maxTokens: 128,
  needle: {
    lengths: [512, 1024, 2048, 4096, 8192, 16384, 32768],
    depths: [0, 0.25, 0.5, 0.75, 1],
    trials: 3,
  },
  perplexity: { lengths: [512, 1024, 2048, 4096, 8192, 16384, 32768], windows: 3 },
};
