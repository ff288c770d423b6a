import { GraphBuilder, type Dim, type ModelInfo } from '../onnx-builder.js';
import {
  tensorAt,
  type Activation,
  type ConvOptions,
  type TfliteModel,
  type TfliteOperator,
  type TfliteTensor,
} from './tflite-model.js';
import {
  broadcastConstantToNchw,
  convFilterToOihw,
  depthwiseFilterToOihw,
  fcWeightsForNchw,
} from './tflite-weights.js';

/** How one TFLite file becomes the ONNX graph the service feeds. */
export interface TfliteConversion {
  /** The ONNX input `input`: upright NHWC [N, H, W, 3], with a symbolic batch. */
  inputShape: Dim[];
  /**
   * The network was trained on images with width and height swapped (facenet's MTCNN port keeps
   * the Caffe original's column-major convention): the graph swaps them on the way in, and swaps
   * 4-D outputs back, so callers see upright images and upright maps.
   */
  transposedImage: boolean;
  /** `(x − subtract) / divide` inside the graph; omitted when the caller feeds normalised values. */
  normalisation?: { subtract: number; divide: number };
  /** Every TFLite output tensor, by name, and the ONNX output it becomes. */
  outputs: ReadonlyArray<{ tflite: string; name: string; shape: Dim[]; description: string }>;
}

/**
 * Where a TFLite tensor lives in the ONNX graph. Images are kept NCHW inside the graph (what ORT's
 * convolutions run fastest on), so a 4-D activation is either `nchw` — the TFLite NHWC tensor
 * permuted by [0, 3, 1, 2] — or `nhwc`, exactly as TFLite holds it (all other ranks are `nhwc`).
 */
interface Value {
  name: string;
  layout: 'nchw' | 'nhwc';
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
/** TFLite NHWC axis → the same axis of the NCHW copy. */
const NCHW_AXIS = [0, 2, 3, 1];

/**
 * Converts the model's first subgraph, operator by operator, into an ONNX graph. Layouts are
 * tracked per tensor so the only transposes are at the graph's edges (and before a RESHAPE that
 * would flatten channels and pixels in a different order); weights are rearranged instead.
 */
export function convertTflite(
  model: TfliteModel,
  conversion: TfliteConversion,
  graphName: string,
  info: ModelInfo,
): Uint8Array {
  return new TfliteGraph(model, new GraphBuilder(graphName)).convert(conversion, info);
}

class TfliteGraph {
  private readonly values = new Map<number, Value>();
  /** Layout conversions and constants already emitted, so two consumers share one. */
  private readonly converted = new Map<string, string>();
  /** The graph's own input and output names, which no node named after a TFLite tensor may take. */
  private readonly reserved = new Set<string>(['input']);

  constructor(
    private readonly model: TfliteModel,
    private readonly g: GraphBuilder,
  ) {}

  convert(conversion: TfliteConversion, info: ModelInfo): Uint8Array {
    for (const { name } of conversion.outputs) this.reserved.add(name);
    this.bindInput(conversion);
    for (const op of this.model.operators) this.operator(op);
    this.bindOutputs(conversion);
    return this.g.build(info);
  }

  private bindInput({ inputShape, transposedImage, normalisation }: TfliteConversion): void {
    const [index, ...others] = this.model.inputs;
    const tensor = tensorAt(this.model, index);
    if (others.length > 0 || tensor.shape.length !== 4 || tensor.shape[3] !== inputShape[3]) {
      throw new Error(
        `expected one NHWC image input with ${inputShape[3]} channels, got [${tensor.shape.join()}] (${this.model.inputs.length} inputs)`,
      );
    }
    let x = this.g.input('input', inputShape);
    if (normalisation) {
      x = this.g.op('Sub', [x, this.g.scalar(normalisation.subtract)], {}, 'normalise_sub');
      x = this.g.op('Div', [x, this.g.scalar(normalisation.divide)], {}, 'normalise_div');
    }
    // Upright [N, H, W, C] → the file's NHWC tensor, held as NCHW: [N, C, H, W], or [N, C, W, H]
    // for a transposed-image network (TFLite's "height" axis is then the image's width).
    const perm = transposedImage ? [0, 3, 2, 1] : NHWC_TO_NCHW;
    this.values.set(tensor.index, { name: this.g.op('Transpose', [x], { perm }, 'to_nchw'), layout: 'nchw' });
  }

  private bindOutputs({ outputs, transposedImage }: TfliteConversion): void {
    const produced = this.model.outputs.map((i) => tensorAt(this.model, i));
    const missing = produced.filter((t) => !outputs.some((o) => o.tflite === t.name)).map((t) => t.name);
    const unknown = outputs.filter((o) => !produced.some((t) => t.name === o.tflite)).map((o) => o.tflite);
    if (missing.length > 0 || unknown.length > 0) {
      throw new Error(
        `output mapping: unmapped TFLite outputs [${missing.join(', ')}], unknown names [${unknown.join(', ')}]`,
      );
    }
    for (const out of outputs) {
      const tensor = produced.find((t) => t.name === out.tflite)!;
      const value = this.value(tensor.index);
      let name = value.name;
      if (value.layout === 'nchw') {
        name = this.g.op(
          'Transpose',
          [name],
          { perm: transposedImage ? [0, 3, 2, 1] : NCHW_TO_NHWC },
          `${out.name}_nhwc`,
        );
      } else if (tensor.shape.length === 4 && transposedImage) {
        name = this.g.op('Transpose', [name], { perm: [0, 2, 1, 3] }, `${out.name}_upright`);
      }
      this.g.output(out.name, name, out.shape, out.description);
    }
  }

  private operator(op: TfliteOperator): void {
    const [outIndex, ...extraOutputs] = op.outputs;
    const out = tensorAt(this.model, outIndex);
    if (extraOutputs.length > 0) throw new Error(`${op.op} "${out.name}": more than one output`);
    const name = this.label(out.name);
    let value: Value;
    switch (op.op) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D':
        value = { name: this.conv(op, name), layout: 'nchw' };
        break;
      case 'MAX_POOL_2D': {
        const pooled = this.g.op(
          'MaxPool',
          [this.nchw(op.inputs[0])],
          {
            kernel_shape: [op.filterH, op.filterW],
            strides: [op.strideH, op.strideW],
            auto_pad: autoPad(op.padding),
          },
          name,
        );
        value = { name: this.activation(pooled, op.activation), layout: 'nchw' };
        break;
      }
      case 'FULLY_CONNECTED':
        value = { name: this.fullyConnected(op, name), layout: 'nhwc' };
        break;
      case 'ADD':
      case 'SUB':
      case 'MUL':
      case 'DIV':
        value = this.binary(op, name);
        break;
      case 'RELU':
      case 'EXP':
      case 'NEG':
      case 'ABS': {
        const x = this.value(op.inputs[0]);
        value = { name: this.g.op(UNARY[op.op], [x.name], {}, name), layout: x.layout };
        break;
      }
      case 'SUM':
      case 'REDUCE_MAX':
        value = this.reduce(op, name);
        break;
      case 'RESHAPE':
        value = { name: this.reshape(op, name), layout: 'nhwc' };
        break;
    }
    this.values.set(out.index, value);
  }

  private conv(op: Extract<TfliteOperator, { op: 'CONV_2D' | 'DEPTHWISE_CONV_2D' }>, name: string): string {
    const [input, filterIndex, biasIndex] = op.inputs;
    const x = this.nchw(input);
    const filter = this.floats(filterIndex);
    let weights;
    let group = 1;
    if (op.op === 'CONV_2D') {
      weights = convFilterToOihw(filter.data, filter.tensor.shape);
    } else {
      const channelsIn = tensorAt(this.model, input).shape[3]!;
      weights = depthwiseFilterToOihw(filter.data, filter.tensor.shape);
      const channelsOut = weights.dims[0];
      const multiplier = op.depthMultiplier || channelsOut / channelsIn;
      if (channelsOut !== channelsIn * multiplier) {
        throw new Error(
          `${name}: depthwise filter [${filter.tensor.shape.join()}] for ${channelsIn} channels, multiplier ${op.depthMultiplier}`,
        );
      }
      group = channelsIn;
    }
    const inputs = [x, this.g.weight(this.label(filter.tensor.name), weights.dims, weights.data)];
    if (biasIndex !== undefined && biasIndex >= 0) {
      const bias = this.floats(biasIndex);
      inputs.push(this.g.weight(this.label(bias.tensor.name), [bias.data.length], bias.data));
    }
    const [, , kh, kw] = weights.dims;
    const conv = this.g.op(
      'Conv',
      inputs,
      {
        kernel_shape: [kh, kw],
        strides: [op.strideH, op.strideW],
        dilations: [op.dilationH, op.dilationW],
        group,
        ...convPadding(op, kh, kw, name),
      },
      name,
    );
    return this.activation(conv, op.activation);
  }

  /**
   * TFLite flattens the input to [rows, inner] in NHWC order. From an NCHW value the weights'
   * columns are reordered instead (see fcWeightsForNchw), so ORT runs Flatten + Gemm.
   */
  private fullyConnected(op: Extract<TfliteOperator, { op: 'FULLY_CONNECTED' }>, name: string): string {
    const [input, weightIndex, biasIndex] = op.inputs;
    const inShape = tensorAt(this.model, input).shape;
    const weights = this.floats(weightIndex);
    const [units, inner] = weights.tensor.shape;
    if (weights.tensor.shape.length !== 2 || units === undefined || inner === undefined) {
      throw new Error(`${name}: weights [${weights.tensor.shape.join()}] are not 2-D`);
    }
    const x = this.value(input);
    let flat: string;
    let kernel = weights.data;
    if (x.layout === 'nchw') {
      const [, h, w, c] = inShape as [number, number, number, number];
      // One row per batch item only when a whole image is one row; anything else would mix items.
      if (h * w * c !== inner)
        throw new Error(`${name}: input [${inShape.join()}] does not flatten to ${inner} per item`);
      kernel = fcWeightsForNchw(weights.data, units, [h, w, c]);
      flat = this.g.op('Flatten', [x.name], { axis: 1 }, `${name}/flatten`);
    } else if (inShape.length === 2) {
      flat = x.name;
    } else {
      flat = this.g.op('Reshape', [x.name, this.g.int64s([-1, inner])], {}, `${name}/flatten`);
    }
    const inputs = [flat, this.g.weight(this.label(weights.tensor.name), [units, inner], kernel)];
    if (biasIndex !== undefined && biasIndex >= 0) {
      const bias = this.floats(biasIndex);
      inputs.push(this.g.weight(this.label(bias.tensor.name), [bias.data.length], bias.data));
    }
    return this.activation(this.g.op('Gemm', inputs, { transB: 1 }, name), op.activation);
  }

  /** Elementwise with numpy broadcasting: NCHW when any activation operand is NCHW. */
  private binary(op: Extract<TfliteOperator, { op: 'ADD' | 'SUB' | 'MUL' | 'DIV' }>, name: string): Value {
    const operands = op.inputs.map((i) => tensorAt(this.model, i));
    const nchw = operands.some((t) => !t.data && this.value(t.index).layout === 'nchw');
    const names = operands.map((t) => {
      if (t.data) return this.constant(t, nchw);
      return nchw ? this.nchw(t.index) : this.value(t.index).name;
    });
    const result = this.g.op(BINARY[op.op], names, {}, name);
    return { name: this.activation(result, op.activation), layout: nchw ? 'nchw' : 'nhwc' };
  }

  private reduce(op: Extract<TfliteOperator, { op: 'SUM' | 'REDUCE_MAX' }>, name: string): Value {
    const [input, axesIndex] = op.inputs;
    const rank = tensorAt(this.model, input).shape.length;
    const axesTensor = tensorAt(this.model, axesIndex);
    if (!(axesTensor.data instanceof Int32Array))
      throw new Error(`${name}: reduction axes must be an INT32 constant`);
    let axes = [...new Set(Array.from(axesTensor.data, (a) => (a < 0 ? a + rank : a)))].sort();
    const x = this.value(input);
    // Kept dimensions leave the layout as it is; dropped ones would break NCHW's meaning.
    const nchw = x.layout === 'nchw' && op.keepDims;
    const source = nchw ? x.name : this.nhwc(input);
    if (nchw) axes = axes.map((a) => NCHW_AXIS[a]!).sort();
    const keepdims = op.keepDims ? 1 : 0;
    // Opset 13: ReduceSum takes its axes as an input, ReduceMax still as an attribute.
    const reduced =
      op.op === 'SUM'
        ? this.g.op('ReduceSum', [source, this.g.int64s(axes)], { keepdims }, name)
        : this.g.op('ReduceMax', [source], { axes, keepdims }, name);
    return { name: reduced, layout: nchw ? 'nchw' : 'nhwc' };
  }

  /**
   * The file's target shape bakes in the batch it was exported with (MobileFaceNet: [2, 192]);
   * ONNX's 0 ("copy this dimension from the input") keeps the batch dynamic.
   */
  private reshape(op: Extract<TfliteOperator, { op: 'RESHAPE' }>, name: string): string {
    const [input, shapeIndex] = op.inputs;
    const inShape = tensorAt(this.model, input).shape;
    const shapeTensor =
      shapeIndex !== undefined && shapeIndex >= 0 ? tensorAt(this.model, shapeIndex) : undefined;
    if (shapeTensor && !shapeTensor.data)
      throw new Error(`${name}: a computed target shape is not supported`);
    const target = shapeTensor?.data ? Array.from(shapeTensor.data) : op.newShape;
    if (!target || target.length === 0) throw new Error(`${name}: RESHAPE without a target shape`);
    const [first, ...rest] = target;
    if (first !== inShape[0] && first !== -1) {
      throw new Error(`${name}: RESHAPE [${inShape.join()}] → [${target.join()}] moves the batch dimension`);
    }
    const onnxShape = [first === -1 ? -1 : 0, ...rest];
    const x = this.value(input);
    // NCHW and NHWC flatten alike when the image is 1×1 or has one channel: no transpose needed.
    const [, h, w, c] = inShape;
    const sameOrder = x.layout === 'nchw' && (h! * w! === 1 || c === 1);
    const source = sameOrder ? x.name : this.nhwc(input);
    return this.g.op('Reshape', [source, this.g.int64s(onnxShape)], {}, name);
  }

  private activation(x: string, activation: Activation): string {
    switch (activation) {
      case 'NONE':
        return x;
      case 'RELU':
        return this.g.op('Relu', [x], {}, `${x}/relu`);
      case 'RELU6':
        return this.g.op('Clip', [x, this.g.scalar(0), this.g.scalar(6)], {}, `${x}/relu6`);
      case 'RELU_N1_TO_1':
        return this.g.op('Clip', [x, this.g.scalar(-1), this.g.scalar(1)], {}, `${x}/relu_n1_to_1`);
    }
  }

  private constant(tensor: TfliteTensor, nchw: boolean): string {
    if (!(tensor.data instanceof Float32Array))
      throw new Error(`${tensor.name}: expected a FLOAT32 constant`);
    const key = `#${tensor.index}|${nchw}`;
    let name = this.converted.get(key);
    if (!name) {
      const { dims, data } = nchw
        ? broadcastConstantToNchw(tensor.data, tensor.shape)
        : { dims: tensor.shape, data: tensor.data };
      name = this.g.weight(this.label(tensor.name), dims, data);
      this.converted.set(key, name);
    }
    return name;
  }

  /** A node or weight name from a TFLite tensor name, kept off the graph's input/output names. */
  private label(tensorName: string): string {
    return this.reserved.has(tensorName) ? `${tensorName}/tflite` : tensorName;
  }

  private floats(index: number | undefined): { tensor: TfliteTensor; data: Float32Array } {
    const tensor = tensorAt(this.model, index);
    if (!(tensor.data instanceof Float32Array))
      throw new Error(`${tensor.name}: expected FLOAT32 constant weights`);
    return { tensor, data: tensor.data };
  }

  private value(index: number | undefined): Value {
    const tensor = tensorAt(this.model, index);
    const value = this.values.get(tensor.index);
    if (!value) {
      const why = tensor.data ? 'a constant where an activation was expected' : 'used before it is computed';
      throw new Error(`tensor "${tensor.name}" is ${why}`);
    }
    return value;
  }

  private nchw(index: number | undefined): string {
    const value = this.value(index);
    if (value.layout === 'nchw') return value.name;
    const rank = tensorAt(this.model, index).shape.length;
    if (rank !== 4) throw new Error(`${value.name}: a rank-${rank} tensor cannot feed an image operator`);
    return this.transposed(value.name, NHWC_TO_NCHW, 'nchw');
  }

  private nhwc(index: number | undefined): string {
    const value = this.value(index);
    return value.layout === 'nhwc' ? value.name : this.transposed(value.name, NCHW_TO_NHWC, 'nhwc');
  }

  private transposed(name: string, perm: number[], suffix: string): string {
    const key = `${name}|${perm.join()}`;
    let result = this.converted.get(key);
    if (!result) {
      result = this.g.op('Transpose', [name], { perm }, `${name}/${suffix}`);
      this.converted.set(key, result);
    }
    return result;
  }
}

const UNARY = { RELU: 'Relu', EXP: 'Exp', NEG: 'Neg', ABS: 'Abs' } as const;
const BINARY = { ADD: 'Add', SUB: 'Sub', MUL: 'Mul', DIV: 'Div' } as const;

/**
 * TF's SAME puts the odd padding row/column at the bottom/right: ONNX's SAME_UPPER. ORT refuses
 * SAME_UPPER with dilation, so a dilated SAME conv gets explicit pads — only possible when they do
 * not depend on the input size, i.e. at stride 1: (k − 1)·d split with the extra one at the end.
 */
function convPadding(
  op: ConvOptions,
  kh: number,
  kw: number,
  name: string,
): Record<string, string | number[]> {
  if (op.padding === 'VALID' || (op.dilationH === 1 && op.dilationW === 1))
    return { auto_pad: autoPad(op.padding) };
  if (op.strideH !== 1 || op.strideW !== 1)
    throw new Error(`${name}: SAME padding with both stride and dilation is not supported`);
  const total = [(kh - 1) * op.dilationH, (kw - 1) * op.dilationW];
  const [th, tw] = total as [number, number];
  return { pads: [Math.floor(th / 2), Math.floor(tw / 2), Math.ceil(th / 2), Math.ceil(tw / 2)] };
}

function autoPad(padding: 'SAME' | 'VALID'): string {
  return padding === 'SAME' ? 'SAME_UPPER' : 'VALID';
}
