// A small builder for ONNX graphs on top of onnx-proto: nodes, constants, and initializers whose bytes
// go to an external-data file (a protobuf cannot exceed 2 GB, a 7B model's weights do).

import { onnx } from 'onnx-proto';

export const ELEM = {
  float: onnx.TensorProto.DataType.FLOAT,
  uint8: onnx.TensorProto.DataType.UINT8,
  int64: onnx.TensorProto.DataType.INT64,
  float16: onnx.TensorProto.DataType.FLOAT16,
} as const;
export type ElemType = keyof typeof ELEM;

export type AttrValue = number | number[] | string | { float: number };

/** Dimension of a graph input or output: a fixed size or a symbolic name. */
export type Dim = number | string;

export interface ExternalData {
  /** File name of the external data, relative to model.onnx. */
  location: string;
  /** Byte chunks to write one after another (alignment padding included). */
  chunks: Uint8Array[];
  length: number;
}

// Large initializers start on a 4096-byte boundary so that onnxruntime can map them in place.
const PAGE = 4096;
const LARGE = 1 << 20;
const SMALL_ALIGN = 64;

export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly chunks: Uint8Array[] = [];
  private offset = 0;
  private counter = 0;
  private readonly constants = new Map<string, string>();
  private readonly weights = new Map<string, readonly ArrayBufferView[]>();

  constructor(readonly dataLocation: string) {}

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  input(name: string, elem: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  output(name: string, elem: ElemType, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elem, dims));
  }

  /** Adds a node; returns its output names (fresh ones unless given). */
  op(
    type: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    options: { outputs?: string[] | number; domain?: string; name?: string } = {},
  ): string[] {
    const outs =
      typeof options.outputs === 'object'
        ? options.outputs
        : Array.from({ length: options.outputs ?? 1 }, () => this.fresh(type));
    this.nodes.push({
      opType: type,
      domain: options.domain ?? '',
      name: options.name ?? this.fresh(`n_${type}`),
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** One-output node. */
  op1(type: string, inputs: string[], attrs: Record<string, AttrValue> = {}, domain = ''): string {
    return this.op(type, inputs, attrs, { domain })[0] as string;
  }

  /** A small constant stored inside the protobuf, shared by value. */
  constInt64(values: number[], dims: number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.fresh('const_i64');
    this.initializers.push({ name, dataType: ELEM.int64, dims, int64Data: values });
    this.constants.set(key, name);
    return name;
  }

  constFloat(values: number[], dims: number[] = [values.length]): string {
    const key = `f32:${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.fresh('const_f32');
    this.initializers.push({ name, dataType: ELEM.float, dims, floatData: values });
    this.constants.set(key, name);
    return name;
  }

  /**
   * An initializer whose bytes live in the external-data file; the same name and data is stored once.
   * Several parts are written one after another as one tensor (weights fused along rows, no copy).
   */
  weight(
    name: string,
    elem: ElemType,
    dims: number[],
    data: ArrayBufferView | readonly ArrayBufferView[],
  ): string {
    const parts: readonly ArrayBufferView[] = isViewList(data) ? data : [data];
    const known = this.weights.get(name);
    if (known && known.length === parts.length && known.every((p, i) => p === parts[i]))
      return name;
    if (known) throw new DuplicateInitializerError(name);
    this.weights.set(name, parts);
    const length = parts.reduce((a, p) => a + p.byteLength, 0);
    const align = length >= LARGE ? PAGE : SMALL_ALIGN;
    const pad = (align - (this.offset % align)) % align;
    if (pad > 0) this.chunks.push(new Uint8Array(pad));
    this.offset += pad;
    this.initializers.push({
      name,
      dataType: ELEM[elem],
      dims,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: this.dataLocation },
        { key: 'offset', value: String(this.offset) },
        { key: 'length', value: String(length) },
      ],
    });
    for (const p of parts) this.chunks.push(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    this.offset += length;
    return name;
  }

  /** The encoded ModelProto and the external data its initializers point into. */
  finish(
    graphName: string,
    opsets: Record<string, number>,
    metadata: Record<string, string>,
  ): { model: Uint8Array; externalData: ExternalData } {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'ropewalk',
      opsetImport: Object.entries(opsets).map(([domain, version]) => ({ domain, version })),
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return {
      model: onnx.ModelProto.encode(model).finish(),
      externalData: { location: this.dataLocation, chunks: this.chunks, length: this.offset },
    };
  }
}

export class DuplicateInitializerError extends Error {
  override name = 'DuplicateInitializerError';
  constructor(readonly initializer: string) {
    super(`initializer ${initializer} was given twice with different data`);
  }
}

function isViewList(
  data: ArrayBufferView | readonly ArrayBufferView[],
): data is readonly ArrayBufferView[] {
  return Array.isArray(data);
}

function valueInfo(name: string, elem: ElemType, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[elem],
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  return { name, type: T.FLOAT, f: v.float };
}
