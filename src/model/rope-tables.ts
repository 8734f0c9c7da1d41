// Rotary tables (cos/sin per position and frequency) that the model contract takes as inputs.
// Angles are computed in float64 and rounded once, so tables at 32k positions stay accurate.

/** θ_i = base^(-2i/d) for i < d/2: the unscaled inverse frequencies. */
export function baseInverseFrequencies(headDim: number, base: number): Float64Array {
  const half = headDim / 2;
  const out = new Float64Array(half);
  for (let i = 0; i < half; i++) out[i] = Math.pow(base, (-2 * i) / headDim);
  return out;
}

export interface RotaryTables {
  cos: Float32Array; // [positions, headDim/2]
  sin: Float32Array; // [positions, headDim/2]
  count: number;
}

/** cos(p·θ_i), sin(p·θ_i) for each position p, row-major [positions, θ.length]. */
export function rotaryTables(
  positions: ArrayLike<number>,
  inverseFrequencies: Float64Array,
): RotaryTables {
  const half = inverseFrequencies.length;
  const cos = new Float32Array(positions.length * half);
  const sin = new Float32Array(positions.length * half);
  for (let p = 0; p < positions.length; p++) {
    const pos = positions[p] as number;
    for (let i = 0; i < half; i++) {
      const angle = pos * (inverseFrequencies[i] as number);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin, count: positions.length };
}
