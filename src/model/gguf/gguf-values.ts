// GGUF metadata value types: the wire codes and the typed values the reader gives and the writer takes.

/** Wire codes of GGUF value types (ggml's docs/gguf.md). */
export const GGUF_VALUE_TYPES = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufValueTypeName = keyof typeof GGUF_VALUE_TYPES;
export type GgufNumberType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64';
export type GgufBigIntType = 'u64' | 'i64';
export type GgufItemType = Exclude<GgufValueTypeName, 'array'>;

/** Numeric arrays come as typed arrays so that a 151,936-entry array is one allocation. */
export interface GgufNumericArrays {
  u8: Uint8Array;
  i8: Int8Array;
  u16: Uint16Array;
  i16: Int16Array;
  u32: Uint32Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  u64: BigUint64Array;
  i64: BigInt64Array;
}

export type GgufArray =
  | {
      [T in keyof GgufNumericArrays]: { type: 'array'; itemType: T; value: GgufNumericArrays[T] };
    }[keyof GgufNumericArrays]
  | { type: 'array'; itemType: 'bool'; value: boolean[] }
  | { type: 'array'; itemType: 'string'; value: string[] }
  | { type: 'array'; itemType: 'array'; value: GgufArray[] };

export type GgufValue =
  | { type: GgufNumberType; value: number }
  | { type: GgufBigIntType; value: bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | GgufArray;

/** Element sizes of fixed-size types, and the typed array each numeric type reads into. */
export const FIXED_SIZES: Record<Exclude<GgufItemType, 'string'>, number> = {
  u8: 1,
  i8: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  bool: 1,
  u64: 8,
  i64: 8,
  f64: 8,
};

export const TYPED_ARRAYS = {
  u8: Uint8Array,
  i8: Int8Array,
  u16: Uint16Array,
  i16: Int16Array,
  u32: Uint32Array,
  i32: Int32Array,
  f32: Float32Array,
  f64: Float64Array,
  u64: BigUint64Array,
  i64: BigInt64Array,
} as const;

const byCode = new Map<number, GgufValueTypeName>(
  Object.entries(GGUF_VALUE_TYPES).map(([name, code]) => [code, name as GgufValueTypeName]),
);

export function valueTypeName(code: number): GgufValueTypeName | undefined {
  return byCode.get(code);
}
