// Order statistics for benchmark figures.

/** The q-quantile (0 ≤ q ≤ 1) of xs by the nearest-rank method; NaN for no data. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}
