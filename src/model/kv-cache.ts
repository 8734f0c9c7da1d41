// The KV cache of contract v2: per layer, token-major buffers [capacity, kvHeads, headDim] that grow by
// doubling. A prefix of any length is a zero-copy view, so truncation is free and the graph reads the
// cache in place; keys are stored rotated, so moving a span re-rotates it by Δ positions.

export interface KvView {
  length: number;
  /** Per layer: [length, kvHeads, headDim], row-major. */
  keys: Float32Array[];
  values: Float32Array[];
}

export class KvCapacityError extends Error {
  override readonly name = 'KvCapacityError';
}

export class KvCache {
  private keys: Float32Array[];
  private values: Float32Array[];
  private capacity: number;
  length = 0;

  constructor(
    readonly layers: number,
    readonly kvHeads: number,
    readonly headDim: number,
    initialCapacity = 256,
    /** Upper bound on the bytes this cache may hold; appending past it throws KvCapacityError. */
    readonly maxBytes = Infinity,
  ) {
    this.capacity = initialCapacity;
    this.keys = Array.from(
      { length: layers },
      () => new Float32Array(initialCapacity * this.rowSize),
    );
    this.values = Array.from(
      { length: layers },
      () => new Float32Array(initialCapacity * this.rowSize),
    );
  }

  /** Floats per token per layer. */
  get rowSize(): number {
    return this.kvHeads * this.headDim;
  }

  /** Bytes this cache holds for `tokens` tokens (keys and values, all layers). */
  bytesFor(tokens: number): number {
    return tokens * this.rowSize * this.layers * 2 * 4;
  }

  bytes(): number {
    return this.bytesFor(this.capacity);
  }

  view(): KvView {
    const n = this.length * this.rowSize;
    return {
      length: this.length,
      keys: this.keys.map((k) => k.subarray(0, n)),
      values: this.values.map((v) => v.subarray(0, n)),
    };
  }

  private reserve(tokens: number): void {
    if (tokens <= this.capacity) return;
    if (this.bytesFor(tokens) > this.maxBytes) {
      throw new KvCapacityError(
        `the KV cache would need ${(this.bytesFor(tokens) / 2 ** 20).toFixed(0)} MiB, over its ${(this.maxBytes / 2 ** 20).toFixed(0)} MiB bound`,
      );
    }
    let cap = this.capacity;
    while (cap < tokens) cap *= 2;
    cap = Math.max(tokens, Math.min(cap, Math.floor(this.maxBytes / this.bytesFor(1))));
    const grow = (a: Float32Array) => {
      const b = new Float32Array(cap * this.rowSize);
      b.set(a.subarray(0, this.length * this.rowSize));
      return b;
    };
    this.keys = this.keys.map(grow);
    this.values = this.values.map(grow);
    this.capacity = cap;
  }

  /** Appends `count` tokens' entries, each layer's given as [count, kvHeads, headDim]. */
  append(newKeys: Float32Array[], newValues: Float32Array[], count: number): void {
    this.reserve(this.length + count);
    const at = this.length * this.rowSize;
    for (let l = 0; l < this.layers; l++) {
      (this.keys[l] as Float32Array).set(
        (newKeys[l] as Float32Array).subarray(0, count * this.rowSize),
        at,
      );
      (this.values[l] as Float32Array).set(
        (newValues[l] as Float32Array).subarray(0, count * this.rowSize),
        at,
      );
    }
    this.length += count;
  }

  /** Appends entries [from, from+count) of another cache of the same shape. */
  appendFrom(source: KvCache, from: number, count: number): void {
    const r = this.rowSize;
    const v = source.view();
    this.append(
      v.keys.map((k) => k.subarray(from * r, (from + count) * r)),
      v.values.map((x) => x.subarray(from * r, (from + count) * r)),
      count,
    );
  }

  truncate(length: number): void {
    this.length = Math.max(0, Math.min(length, this.length));
  }

  /**
   * Rotates the keys of tokens [from, to) by `delta` positions under inverse frequencies θ' (pairs (j, j+hd/2)):
   * R((n+Δ)θ') = R(Δθ')·R(nθ'), so for angle-linear methods this equals computing the key at n+Δ in layer 0.
   */
  shiftKeys(from: number, to: number, delta: number, inverseFrequencies: Float64Array): void {
    const half = this.headDim / 2;
    const cos = new Float64Array(half);
    const sin = new Float64Array(half);
    for (let j = 0; j < half; j++) {
      cos[j] = Math.cos(delta * (inverseFrequencies[j] as number));
      sin[j] = Math.sin(delta * (inverseFrequencies[j] as number));
    }
    for (const k of this.keys) {
      for (let t = from; t < to; t++) {
        for (let h = 0; h < this.kvHeads; h++) {
          const base = (t * this.kvHeads + h) * this.headDim;
          for (let j = 0; j < half; j++) {
            const a = k[base + j] as number;
            const b = k[base + j + half] as number;
            k[base + j] = a * (cos[j] as number) - b * (sin[j] as number);
            k[base + j + half] = b * (cos[j] as number) + a * (sin[j] as number);
          }
        }
      }
    }
  }

  /** Copies tokens [from, to) to start at `dest` (ranges may overlap), e.g. to close a gap. */
  moveTokens(from: number, to: number, dest: number): void {
    const r = this.rowSize;
    this.reserve(dest + (to - from));
    for (const buf of [...this.keys, ...this.values]) buf.copyWithin(dest * r, from * r, to * r);
    this.length = Math.max(this.length, dest + (to - from));
  }

  /** A copy of entries [from, length): its entry 0 is this cache's entry `from`. */
  clone(from = 0): KvCache {
    const count = Math.max(0, this.length - from);
    const c = new KvCache(
      this.layers,
      this.kvHeads,
      this.headDim,
      Math.max(1, count),
      this.maxBytes,
    );
    c.appendFrom(this, from, count);
    return c;
  }
}
