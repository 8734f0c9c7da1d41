// The names of the RoPE methods and the factor rule, apart from the planners: pure, so that the
// report page in a browser and the settings can use them without the planners' file reading.

/** Every RoPE method Ropewalk plans, in the order settings and reports list them. */
export const ROPE_METHOD_NAMES = [
  'none',
  'linear',
  'ntk',
  'dynamic-ntk',
  'yarn',
  'llama3',
  'abf',
  'dprope',
  'longrope',
] as const;
export type RopeMethod = (typeof ROPE_METHOD_NAMES)[number];

export function isRopeMethod(name: unknown): name is RopeMethod {
  return typeof name === 'string' && (ROPE_METHOD_NAMES as readonly string[]).includes(name);
}

/**
 * The factor a method runs at for `length` tokens on a model trained at `trainLength`: the extension
 * beyond the training length, never below 1 (a prompt within it needs no stretching). The one rule
 * used by completions, the benchmark and the `auto` choice alike.
 */
export function extensionFactor(length: number, trainLength: number): number {
  return Math.max(1, length / trainLength);
}
