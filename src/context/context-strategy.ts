// The ways the prompt's repository context is found: one list for the settings, the CLI and the
// benchmark (no imports, so that the browser-side report page can use it too).

export const CONTEXT_STRATEGIES = ['infile', 'jaccard', 'ast', 'ast+jaccard'] as const;
export type ContextStrategy = (typeof CONTEXT_STRATEGIES)[number];

export function isContextStrategy(value: unknown): value is ContextStrategy {
  return typeof value === 'string' && (CONTEXT_STRATEGIES as readonly string[]).includes(value);
}
