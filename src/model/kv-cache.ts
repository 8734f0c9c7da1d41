// The KV cache of contract v2/v3: per layer, token-major buffers [capacity, kvHeads, headDim] that grow by
// doubling, as float32 or as binary16 bit patterns (half the memory; the graph widens them to float32
// for the attention math). A prefix of any length is a zero-copy view, so truncation is free and the
// graph reads the cache in place; keys are stored rotated, so moving a span re-rotates it by Δ positions.

import { floatsToHalves, halvesToFloats } from './half';
import { KV_BYTES, type KvType } from './kv-type';

/** One layer's keys or values: float32, or binary16 bit patterns for a float16 cache. */
export type KvArray = Float32Array | Uint16Array;

export interface KvView {
  length: number;
  kvType: KvType;
  /** Per layer: [length, kvHeads, headDim], row-major. */
  keys: KvArray[];
  values: KvArray[];
}

export interface KvCacheOptions {
  /** Tokens allocated up front (default 256); the buffers double as they fill. */
  initialCapacity?: number;
  /** Upper bound on the bytes this cache may hold; appending past it throws KvCapacityError. */
  maxBytes?: number;
  /** Element type (default float32). */
  kvType?: KvType;
}

export class KvCapacityError extends Error {
  override readonly name = 'KvCapacityError';
}

export class KvCache {
  private keys: KvArray[];
  private values: KvArray[];
  private capacity: number;
  readonly maxBytes: number;
  readonly kvType: KvType;
  length = 0;

  constructor(
    readonly layers: number,
    readonly kvHeads: number,
    readonly headDim: number,
    options: KvCacheOptions = {},
  ) {
    this.capacity = options.initialCapacity ?? 256;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.kvType = options.kvType ?? 'float32';
    this.keys = Array.from({ length: layers }, () => this.allocate(this.capacity));
    this.values = Array.from({ length: layers }, () => this.allocate(this.capacity));
  }

  private allocate(tokens: number): KvArray {
    const n = tokens * this.rowSize;
    return this.kvType === 'float16' ? new Uint16Array(n) : new Float32Array(n);
  }

  /** Elements per token per layer. */
  get rowSize(): number {
    return this.kvHeads * this.headDim;
  }

  /** Bytes this cache holds for `tokens` tokens (keys and values, all layers). */
  bytesFor(tokens: number): number {
    return tokens * this.rowSize * this.layers * 2 * KV_BYTES[this.kvType];
  }

  bytes(): number {
    return this.bytesFor(this.capacity);
  }

  view(): KvView {
    const n = this.length * this.rowSize;
    return {
      length: this.length,
      kvType: this.kvType,
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
    const grow = (a: KvArray) => {
      const b = this.allocate(cap);
      store(b, 0, a.subarray(0, this.length * this.rowSize));
      return b;
    };
    this.keys = this.keys.map(grow);
    this.values = this.values.map(grow);
    this.capacity = cap;
  }

  /**
   * Appends `count` tokens' entries, each layer's given as [count, kvHeads, headDim]; entries of the
   * other element type are converted (to fp16 rounding to nearest even).
   */
  append(newKeys: KvArray[], newValues: KvArray[], count: number): void {
    this.reserve(this.length + count);
    const at = this.length * this.rowSize;
    const n = count * this.rowSize;
    for (let l = 0; l < this.layers; l++) {
      store(this.keys[l] as KvArray, at, (newKeys[l] as KvArray).subarray(0, n));
      store(this.values[l] as KvArray, at, (newValues[l] as KvArray).subarray(0, n));
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
   * An fp16 cache rotates the keys as float32 and rounds them back to fp16 (nearest even): the result is
   * exactly the fp16 rounding of what an fp32 cache holding the same keys computes.
   */
  shiftKeys(from: number, to: number, delta: number, inverseFrequencies: Float64Array): void {
    if (to <= from) return;
    const half = this.headDim / 2;
    const cos = new Float64Array(half);
    const sin = new Float64Array(half);
    for (let j = 0; j < half; j++) {
      cos[j] = Math.cos(delta * (inverseFrequencies[j] as number));
      sin[j] = Math.sin(delta * (inverseFrequencies[j] as number));
    }
    const start = from * this.rowSize;
    const end = to * this.rowSize;
    // One layer's span at a time, widened to float32 for an fp16 cache: [to − from, kvHeads, headDim].
    const scratch = this.kvType === 'float16' ? new Float32Array(end - start) : undefined;
    for (const k of this.keys) {
      const span = k.subarray(start, end);
      if (span instanceof Float32Array) rotateHalves(span, this.headDim, cos, sin);
      else {
        const widened = halvesToFloats(span, scratch);
        rotateHalves(widened, this.headDim, cos, sin);
        floatsToHalves(widened, span);
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
    const c = new KvCache(this.layers, this.kvHeads, this.headDim, {
      initialCapacity: Math.max(1, count),
      maxBytes: this.maxBytes,
      kvType: this.kvType,
    });
    c.appendFrom(this, from, count);
    return c;
  }
}

/** Writes `src` into `dst` at element `at`, converting between float32 and fp16 when they differ. */
function store(dst: KvArray, at: number, src: KvArray): void {
  if (dst instanceof Float32Array) {
    if (src instanceof Float32Array) dst.set(src, at);
    else halvesToFloats(src, dst.subarray(at, at + src.length));
  } else if (src instanceof Uint16Array) dst.set(src, at);
  else floatsToHalves(src, dst.subarray(at, at + src.length));
}

/** Rotate-half by the angles whose cos/sin are given, on rows of `headDim` ([tokens·heads, headDim]). */
function rotateHalves(
  k: Float32Array,
  headDim: number,
  cos: Float64Array,
  sin: Float64Array,
): void {
  const half = headDim / 2;
  for (let base = 0; base < k.length; base += headDim) {
    for (let j = 0; j < half; j++) {
      const a = k[base + j] as number;
      const b = k[base + j + half] as number;
      k[base + j] = a * (cos[j] as number) - b * (sin[j] as number);
      k[base + j + half] = b * (cos[j] as number) + a * (sin[j] as number);
    }
  }
}
