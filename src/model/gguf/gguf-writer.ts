// Writes GGUF v3 files (Ropewalk's own models, test fixtures): metadata, tensor infos, aligned data.

import { closeSync, openSync, writeSync } from 'node:fs';
import { ggmlByteLength } from './ggml-types';
import { DEFAULT_ALIGNMENT, GGUF_MAGIC } from './gguf-file';
import { FIXED_SIZES, GGUF_VALUE_TYPES, type GgufArray, type GgufValue } from './gguf-values';

export interface GgufTensorToWrite {
  name: string;
  /** ggml order: dims[0] is the fastest-varying. */
  dims: number[];
  /** ggml type id. */
  type: number;
  data: Uint8Array;
}

export interface GgufContents {
  /** In file order; `general.alignment` (u32, a power of two), when present, sets the alignment. */
  metadata: Array<[string, GgufValue]>;
  tensors: GgufTensorToWrite[];
}

/** Appends little-endian fields to one growing buffer (a 151,936-token vocabulary is a few MB). */
class ByteSink {
  private buf = Buffer.allocUnsafe(1 << 16);
  length = 0;

  private reserve(n: number): number {
    if (this.length + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.length + n));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  get bytesWritten(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length); // may replace this.buf
    this.buf.set(b, at);
  }

  fixed(size: number, write: (v: DataView, at: number) => void): void {
    const at = this.reserve(size);
    write(new DataView(this.buf.buffer, this.buf.byteOffset), at);
  }

  u32(n: number): void {
    const at = this.reserve(4);
    this.buf.writeUInt32LE(n, at);
  }

  u64(n: number | bigint): void {
    const at = this.reserve(8);
    this.buf.writeBigUInt64LE(BigInt(n), at);
  }

  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.u64(n);
    const at = this.reserve(n);
    this.buf.write(s, at, 'utf8');
  }
}

function writeScalar(sink: ByteSink, value: Exclude<GgufValue, GgufArray>): void {
  if (value.type === 'string') return sink.string(value.value);
  sink.fixed(FIXED_SIZES[value.type], (v, at) => {
    switch (value.type) {
      case 'u8':
        return v.setUint8(at, value.value);
      case 'i8':
        return v.setInt8(at, value.value);
      case 'u16':
        return v.setUint16(at, value.value, true);
      case 'i16':
        return v.setInt16(at, value.value, true);
      case 'u32':
        return v.setUint32(at, value.value, true);
      case 'i32':
        return v.setInt32(at, value.value, true);
      case 'f32':
        return v.setFloat32(at, value.value, true);
      case 'f64':
        return v.setFloat64(at, value.value, true);
      case 'u64':
        return v.setBigUint64(at, value.value, true);
      case 'i64':
        return v.setBigInt64(at, value.value, true);
      case 'bool':
        return v.setUint8(at, value.value ? 1 : 0);
    }
  });
}

function writeArray(sink: ByteSink, array: GgufArray): void {
  sink.u32(GGUF_VALUE_TYPES[array.itemType]);
  sink.u64(array.value.length);
  switch (array.itemType) {
    case 'string':
      for (const s of array.value) sink.string(s);
      return;
    case 'array':
      for (const a of array.value) writeArray(sink, a);
      return;
    case 'bool':
      sink.bytes(Uint8Array.from(array.value, (b) => (b ? 1 : 0)));
      return;
    default:
      // Typed arrays hold host-order (little-endian) items already.
      sink.bytes(
        new Uint8Array(array.value.buffer, array.value.byteOffset, array.value.byteLength).slice(),
      );
  }
}

function writeValue(sink: ByteSink, value: GgufValue): void {
  sink.u32(GGUF_VALUE_TYPES[value.type]);
  if (value.type === 'array') writeArray(sink, value);
  else writeScalar(sink, value);
}

function alignmentOf(metadata: GgufContents['metadata']): number {
  const entry = metadata.find(([key]) => key === 'general.alignment');
  if (!entry) return DEFAULT_ALIGNMENT;
  const [, v] = entry;
  if (v.type !== 'u32' || v.value <= 0 || (v.value & (v.value - 1)) !== 0) {
    throw new RangeError(`general.alignment must be a u32 power of two, got a ${v.type} value`);
  }
  return v.value;
}

const pad = (n: number, alignment: number) => (alignment - (n % alignment)) % alignment;

/** Writes `contents` to `path` as GGUF v3, each tensor's data aligned to the file's alignment. */
export function writeGguf(path: string, contents: GgufContents): void {
  const alignment = alignmentOf(contents.metadata);
  const sink = new ByteSink();
  sink.u32(GGUF_MAGIC);
  sink.u32(3);
  sink.u64(contents.tensors.length);
  sink.u64(contents.metadata.length);
  for (const [key, value] of contents.metadata) {
    sink.string(key);
    writeValue(sink, value);
  }
  let offset = 0;
  for (const t of contents.tensors) {
    const need = ggmlByteLength(
      t.type,
      t.dims.reduce((a, b) => a * b, 1),
    );
    if (t.data.length !== need) {
      throw new RangeError(
        `tensor ${t.name}: dims ${t.dims.join('×')} need ${need} bytes, data has ${t.data.length}`,
      );
    }
    sink.string(t.name);
    sink.u32(t.dims.length);
    for (const d of t.dims) sink.u64(d);
    sink.u32(t.type);
    sink.u64(offset);
    offset += need + pad(need, alignment);
  }
  sink.bytes(new Uint8Array(pad(sink.length, alignment)));
  const fd = openSync(path, 'w');
  try {
    const writeAll = (chunk: Uint8Array) => {
      for (let done = 0; done < chunk.length;) done += writeSync(fd, chunk, done);
    };
    writeAll(sink.bytesWritten);
    for (const t of contents.tensors) {
      writeAll(t.data);
      writeAll(new Uint8Array(pad(t.data.length, alignment)));
    }
  } finally {
    closeSync(fd);
  }
}
