// A small seedable random source, so that a benchmark's tasks and needles are the same on every run.

import { seededRandom } from '../model/sampling';

export class Random {
  /** Uniform in [0, 1): the sampler's mulberry32, seeded apart from it. */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom((seed >>> 0) ^ 0x9e3779b9);
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError('pick from an empty list');
    return xs[Math.floor(this.next() * xs.length)] as T;
  }

  /** A key drawn with probability proportional to its weight (weights ≤ 0 never drawn). */
  weighted<K extends string>(weights: Partial<Record<K, number>>): K | undefined {
    const entries = (Object.entries(weights) as [K, number][]).filter(([, w]) => w > 0);
    const total = entries.reduce((a, [, w]) => a + w, 0);
    if (total <= 0) return undefined;
    let r = this.next() * total;
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1]?.[0];
  }
}

/** A short stable hash of a string (FNV-1a, hex), for cell keys and task ids. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
