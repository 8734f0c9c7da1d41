// What every kind of benchmark cell is built from: the run's context and plan, the results already
// there, the repository's texts and the RoPE planning shared by all kinds.

import type { RopeGeometry, RopeMethod, RopeOptions } from '../../model/rope';
import type { CostModel } from '../cost-model';
import type { BenchRecord } from '../results';
import type { BenchContext, BenchPlan } from '../runner';

export interface RopePlanning {
  geometry: RopeGeometry;
  /** The factor a method runs at for a prompt of `length` tokens. */
  factor(length: number): number;
  /** A method's options (its own settings, then factor and length). */
  options(rope: RopeMethod, factor: number, length: number): RopeOptions;
  /** The first method of the plan whose RoPE plan at `length` equals `rope`'s: it runs, `rope` takes its results. */
  canonical(rope: RopeMethod, length: number): RopeMethod;
}

export interface CellContext {
  bench: BenchContext;
  plan: BenchPlan;
  cost: CostModel;
  /** Records already in the results file, by key. */
  existing: ReadonlyMap<string, BenchRecord>;
  /** The repository's indexed files by path, in path order. */
  files: ReadonlyMap<string, string>;
  rope: RopePlanning;
  /** The signal given to prepareBench: generation and perplexity windows stop on it. */
  signal?: AbortSignal;
}
