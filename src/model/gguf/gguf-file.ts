// Reads a GGUF file's header (metadata, tensor infos) and single tensors by offset, never the whole file.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ggmlByteLength, ggmlType, UnsupportedWeightTypeError, GGML_TYPES } from './ggml-types';
import {
  FIXED_SIZES,
  TYPED_ARRAYS,
  valueTypeName,
  type GgufArray,
  type GgufItemType,
  type GgufValue,
} from './gguf-values';

export const GGUF_MAGIC = 0x46554747; // 'GGUF' read as a little-endian u32
export const DEFAULT_ALIGNMENT = 32;

/** The file is not a GGUF this reader can use; names the path and what is wrong. */
export class GgufFormatError extends Error {
  override readonly name = 'GgufFormatError';
  constructor(
    readonly path: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${path} is not a usable GGUF file: ${detail}`, options);
  }
}

export interface GgufTensorInfo {
  name: string;
  /** ggml order: dims[0] is the fastest-varying (K of a weight [N, K]). */
  dims: number[];
  /** ggml type id (see GGML_TYPES). */
  type: number;
  /** Absolute offset of the tensor's first byte in the file. */
  offset: number;
  /** Bytes of data; undefined for a type the table does not know (the tensor cannot be read). */
  byteLength: number | undefined;
}

export interface GgufFile {
  path: string;
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute offset where tensor data starts (tensor offsets in the file are relative to it). */
  dataOffset: number;
  fileSize: number;
}

const CHUNK = 1 << 20;

/** A forward-only reader over a file descriptor with a refillable window (the header may be MBs). */
class Cursor {
  private buf = Buffer.allocUnsafe(CHUNK);
  private start = 0; // file offset of buf[0]
  private end = 0; // valid bytes in buf
  private at = 0; // read position in buf

  constructor(
    private readonly fd: number,
    readonly path: string,
    readonly size: number,
  ) {}

  get offset(): number {
    return this.start + this.at;
  }

  /** Makes `n` bytes readable at `this.at` and returns that position. */
  take(n: number, what: string): number {
    if (this.offset + n > this.size) {
      throw new GgufFormatError(
        this.path,
        `truncated: ${what} needs ${n} bytes at ${this.offset}, the file has ${this.size}`,
      );
    }
    if (this.at + n > this.end) {
      const rest = this.end - this.at;
      if (n > this.buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(n, 2 * this.buf.length));
        this.buf.copy(bigger, 0, this.at, this.end);
        this.buf = bigger;
      } else this.buf.copy(this.buf, 0, this.at, this.end);
      this.start += this.at;
      this.at = 0;
      this.end = rest;
      const want = Math.min(this.buf.length - rest, this.size - this.start - rest);
      this.end += readSync(this.fd, this.buf, rest, want, this.start + rest);
    }
    const p = this.at;
    this.at += n;
    return p;
  }

  u32(what: string): number {
    return this.buf.readUInt32LE(this.take(4, what));
  }

  u64(what: string): number {
    const v = this.buf.readBigUInt64LE(this.take(8, what));
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new GgufFormatError(this.path, `${what} is ${v}, too large`);
    return Number(v);
  }

  string(what: string): string {
    const n = this.u64(`${what}'s length`);
    const p = this.take(n, what);
    return this.buf.toString('utf8', p, p + n);
  }

  scalar(type: Exclude<GgufItemType, 'string'>, what: string): number | bigint | boolean {
    const p = this.take(FIXED_SIZES[type], what);
    const b = this.buf;
    switch (type) {
      case 'u8':
        return b.readUInt8(p);
      case 'i8':
        return b.readInt8(p);
      case 'u16':
        return b.readUInt16LE(p);
      case 'i16':
        return b.readInt16LE(p);
      case 'u32':
        return b.readUInt32LE(p);
      case 'i32':
        return b.readInt32LE(p);
      case 'f32':
        return b.readFloatLE(p);
      case 'f64':
        return b.readDoubleLE(p);
      case 'u64':
        return b.readBigUInt64LE(p);
      case 'i64':
        return b.readBigInt64LE(p);
      case 'bool':
        return b.readUInt8(p) !== 0;
    }
  }

  /** Copies `bytes` bytes into `dest`, window by window (an array may be larger than the window). */
  copyInto(dest: Uint8Array, what: string): void {
    for (let done = 0; done < dest.length;) {
      const n = Math.min(CHUNK, dest.length - done);
      const p = this.take(n, what);
      dest.set(this.buf.subarray(p, p + n), done);
      done += n;
    }
  }
}

function readValue(c: Cursor, code: number, what: string): GgufValue {
  const type = valueTypeName(code);
  if (type === undefined)
    throw new GgufFormatError(c.path, `${what} has unknown value type ${code}`);
  if (type === 'array') return readArray(c, what);
  if (type === 'string') return { type, value: c.string(what) };
  return { type, value: c.scalar(type, what) } as GgufValue;
}

function readArray(c: Cursor, what: string): GgufArray {
  const code = c.u32(`${what}'s item type`);
  const itemType = valueTypeName(code);
  const count = c.u64(`${what}'s length`);
  if (itemType === undefined)
    throw new GgufFormatError(c.path, `${what} has unknown item type ${code}`);
  // Every item takes at least a byte, so a count beyond the file is corrupt, not a reason to allocate.
  if (count > c.size - c.offset) {
    throw new GgufFormatError(c.path, `truncated: ${what} claims ${count} items at ${c.offset}`);
  }
  if (itemType === 'string') {
    const value = new Array<string>(count);
    for (let i = 0; i < count; i++) value[i] = c.string(what);
    return { type: 'array', itemType, value };
  }
  if (itemType === 'array') {
    const value: GgufArray[] = [];
    for (let i = 0; i < count; i++) value.push(readArray(c, what));
    return { type: 'array', itemType, value };
  }
  if (itemType === 'bool') {
    const bytes = new Uint8Array(count);
    c.copyInto(bytes, what);
    return { type: 'array', itemType, value: Array.from(bytes, (b) => b !== 0) };
  }
  // GGUF is little-endian, as are the hosts Node runs on (x64, arm64): bytes copy straight in.
  const value = new TYPED_ARRAYS[itemType](count);
  c.copyInto(new Uint8Array(value.buffer), what);
  return { type: 'array', itemType, value } as GgufArray;
}

function readHeader(c: Cursor): Omit<GgufFile, 'path' | 'fileSize'> {
  if (c.size < 4 || c.u32('magic') !== GGUF_MAGIC)
    throw new GgufFormatError(c.path, 'bad magic (expected "GGUF")');
  const version = c.u32('version');
  if (version !== 2 && version !== 3) {
    throw new GgufFormatError(c.path, `unsupported version ${version} (2 and 3 are read)`);
  }
  const tensorCount = c.u64('tensor count');
  const kvCount = c.u64('metadata count');
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key ${i}`);
    metadata.set(key, readValue(c, c.u32(`${key}'s type`), key));
  }
  const align = metadata.get('general.alignment');
  const alignment = align === undefined ? DEFAULT_ALIGNMENT : align.value;
  if (typeof alignment !== 'number' || alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
    throw new GgufFormatError(
      c.path,
      `general.alignment must be a power of two, got a ${align?.type} value`,
    );
  }
  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`tensor ${i}'s name`);
    const nDims = c.u32(`${name}'s dimension count`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.u64(`${name}'s dimension ${d}`));
    const type = c.u32(`${name}'s type`);
    const offset = c.u64(`${name}'s offset`);
    const count = dims.reduce((a, b) => a * b, 1);
    const known = ggmlType(type);
    const byteLength =
      known && count % known.blockSize === 0 ? ggmlByteLength(type, count) : undefined;
    tensors.push({ name, dims, type, offset, byteLength });
  }
  const dataOffset = Math.ceil(c.offset / alignment) * alignment;
  return { version, metadata, tensors, alignment, dataOffset };
}

/** Metadata and tensor infos of a GGUF v2/v3 file; tensor offsets come back absolute. */
export function readGguf(path: string): Promise<GgufFile> {
  return Promise.resolve().then(() => readGgufSync(path));
}

/** readGguf for callers that cannot wait (a tokenizer read from the header, say): the header is small. */
export function readGgufSync(path: string): GgufFile {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    const header = readHeader(new Cursor(fd, path, fileSize));
    for (const t of header.tensors) {
      t.offset += header.dataOffset;
      if (t.byteLength !== undefined && t.offset + t.byteLength > fileSize) {
        throw new GgufFormatError(
          path,
          `tensor ${t.name} (${t.byteLength} bytes at ${t.offset}) runs past the end of the file (${fileSize} bytes)`,
        );
      }
    }
    return { path, fileSize, ...header };
  } finally {
    closeSync(fd);
  }
}

/** One tensor's raw bytes, read from its offset into a buffer of its size. */
export function readTensor(file: GgufFile, name: string): Buffer {
  const info = file.tensors.find((t) => t.name === name);
  if (!info) throw new GgufFormatError(file.path, `no tensor named ${name}`);
  if (info.byteLength === undefined) {
    throw new UnsupportedWeightTypeError(info.type, 'read', Object.keys(GGML_TYPES));
  }
  const out = Buffer.allocUnsafe(info.byteLength);
  const fd = openSync(file.path, 'r');
  try {
    let done = 0;
    while (done < out.length) {
      const n = readSync(fd, out, done, out.length - done, info.offset + done);
      if (n === 0)
        throw new GgufFormatError(
          file.path,
          `truncated: tensor ${name} ends at byte ${info.offset + done}`,
        );
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
