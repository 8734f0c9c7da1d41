// Choosing the next token from logits: greedy, or temperature with nucleus (top-p) sampling.

export interface SamplingOptions {
  /** 0 (default) means greedy. */
  temperature?: number;
  /** Nucleus: keep the smallest set of tokens whose probability reaches topP. 1 keeps all. */
  topP?: number;
  /** A number in [0, 1) per call; seedable for reproducible runs. */
  random?: () => number;
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i] as number;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** mulberry32: a small seedable generator, so benchmarks can sample reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sampleToken(logits: Float32Array, options: SamplingOptions = {}): number {
  const temperature = options.temperature ?? 0;
  if (!(temperature > 0)) return argmax(logits);
  const topP = Math.min(Math.max(options.topP ?? 1, 0), 1);
  const random = options.random ?? Math.random;
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  // Only tokens within ~40 nats of the best can matter in float64; skipping the rest keeps sorting cheap.
  const candidates: { id: number; p: number }[] = [];
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = ((logits[i] as number) - max) / temperature;
    if (z < -40) continue;
    const p = Math.exp(z);
    candidates.push({ id: i, p });
    total += p;
  }
  candidates.sort((a, b) => b.p - a.p);
  let kept = candidates.length;
  if (topP < 1) {
    let mass = 0;
    for (let i = 0; i < candidates.length; i++) {
      mass += (candidates[i] as { p: number }).p / total;
      if (mass >= topP) {
        kept = i + 1;
        break;
      }
    }
  }
  let keptMass = 0;
  for (let i = 0; i < kept; i++) keptMass += (candidates[i] as { p: number }).p;
  let r = random() * keptMass;
  for (let i = 0; i < kept; i++) {
    const c = candidates[i] as { id: number; p: number };
    r -= c.p;
    if (r <= 0) return c.id;
  }
  return (candidates[kept - 1] as { id: number }).id;
}
