import {
  AttributeType,
  DataType,
  encodeModel,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnx-proto.js';

/** ONNX default-domain opset the graphs are written against; IR 7 is the matching file format. */
export const OPSET = 13;
const IR_VERSION = 7;

/** A tensor dimension: a fixed size or a symbolic name (dynamic). */
export type Dim = number | string;

/** Marks a float attribute; plain numbers are written as INT attributes. */
export class FloatAttr {
  constructor(readonly value: number) {}
}

export type AttrValue = number | number[] | string | FloatAttr;

export interface ModelInfo {
  producerVersion: string;
  docString: string;
  metadata: Record<string, string>;
}

/**
 * Minimal builder for a single ONNX graph: nodes are appended in topological order, every node has
 * one output named after the node, and constants are stored as (deduplicated) initializers.
 */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();
  private readonly constants = new Map<string, string>();

  constructor(private readonly name: string) {}

  input(name: string, shape: Dim[]): string {
    this.inputs.push(valueInfo(this.reserve(name), shape));
    return name;
  }

  /** Exposes `value` as a graph output under `name` (through an Identity, which ORT removes). */
  output(name: string, value: string, shape: Dim[], docString: string): void {
    this.nodes.push({
      name: this.reserve(name),
      op_type: 'Identity',
      input: [value],
      output: [name],
      attribute: [],
    });
    this.outputs.push({ ...valueInfo(name, shape), doc_string: docString });
  }

  /** Appends a single-output node and returns the name of its output value. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, name = opType): string {
    const unique = this.claim(name);
    this.nodes.push({
      name: unique,
      op_type: opType,
      input: inputs,
      output: [unique],
      attribute: Object.entries(attrs).map(([key, value]) => attribute(key, value)),
    });
    return unique;
  }

  /** A named float32 initializer (weights). */
  weight(name: string, dims: readonly number[], data: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`${name}: ${data.length} values for dims [${dims.join()}]`);
    const unique = this.claim(name);
    this.initializers.push({
      name: unique,
      dims: [...dims],
      data_type: DataType.FLOAT,
      raw_data: float32Bytes(data),
    });
    return unique;
  }

  /** A float32 constant, shared between all nodes that use the same values. */
  floats(dims: readonly number[], values: readonly number[]): string {
    return this.constant(`f:${dims.join()}:${values.join()}`, 'const', () => ({
      dims: [...dims],
      data_type: DataType.FLOAT,
      raw_data: float32Bytes(Float32Array.from(values)),
    }));
  }

  /** A float32 scalar constant. */
  scalar(value: number): string {
    return this.floats([], [value]);
  }

  /** A 1-D int64 constant (shapes, axes, pads), shared like `floats`. */
  int64s(values: readonly number[]): string {
    return this.constant(`i:${values.join()}`, 'ints', () => ({
      dims: [values.length],
      data_type: DataType.INT64,
      raw_data: int64Bytes(values),
    }));
  }

  /** An int64 scalar constant (indices, Range bounds). */
  int64(value: number): string {
    return this.constant(`i:${value}:scalar`, 'int', () => ({
      dims: [],
      data_type: DataType.INT64,
      raw_data: int64Bytes([value]),
    }));
  }

  /** Serialises the graph as an ONNX ModelProto. */
  build(info: ModelInfo): Uint8Array {
    return encodeModel({
      ir_version: IR_VERSION,
      opset_import: [{ domain: '', version: OPSET }],
      producer_name: 'face-recognition-service/scripts/models',
      producer_version: info.producerVersion,
      doc_string: info.docString,
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadata_props: Object.entries(info.metadata).map(([key, value]) => ({ key, value })),
    });
  }

  private constant(key: string, prefix: string, make: () => Omit<TensorProto, 'name'>): string {
    const existing = this.constants.get(key);
    if (existing) return existing;
    const name = this.claim(prefix);
    this.initializers.push({ name, ...make() });
    this.constants.set(key, name);
    return name;
  }

  /** Graph inputs and outputs keep their exact names, so a clash is a bug in the network code. */
  private reserve(name: string): string {
    if (this.usedNames.has(name)) throw new Error(`${this.name}: name ${name} is already used`);
    this.usedNames.add(name);
    return name;
  }

  /** Returns `name`, suffixed with a counter if it is already taken, and reserves it. */
  private claim(name: string): string {
    let unique = name;
    for (let i = 1; this.usedNames.has(unique); i++) unique = `${name}_${i}`;
    this.usedNames.add(unique);
    return unique;
  }
}

function valueInfo(name: string, shape: Dim[]): ValueInfoProto {
  const dim = shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } } };
}

function attribute(name: string, value: AttrValue): AttributeProto {
  if (value instanceof FloatAttr) return { name, type: AttributeType.FLOAT, f: value.value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: Buffer.from(value, 'utf8') };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  return { name, type: AttributeType.INT, i: value };
}

// ONNX raw_data is little-endian whatever the host; DataView makes that explicit.
function float32Bytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return bytes;
}
