import type { Activation, Padding, TfliteModel, TfliteOperator } from './tflite-model.js';

/**
 * A deliberately naive float64 interpreter of the supported TFLite operators, written from the
 * TFLite semantics (NHWC activations, OHWI / 1HWC filters, the file's own input convention) and
 * sharing nothing with the ONNX converter but the parsed model. It is the parity reference: the
 * converted graph in onnxruntime must agree with it. Plain loops over typed arrays; fast enough
 * for a MobileFaceNet batch at install time.
 */
export interface RefTensor {
  shape: number[];
  data: Float64Array;
}

/** Runs the model's first subgraph on `input`; returns every graph output by TFLite tensor name. */
export function runTfliteReference(model: TfliteModel, input: RefTensor): Map<string, RefTensor> {
  const [inputIndex] = model.inputs;
  if (inputIndex === undefined || model.inputs.length !== 1) throw new Error('reference: expected one input');
  const env = new Map<number, RefTensor>([[inputIndex, input]]);
  const fileBatch = model.tensors[inputIndex]!.shape[0];
  const get = (index: number | undefined): RefTensor => {
    if (index === undefined || index < 0) throw new Error('reference: missing operand');
    const known = env.get(index);
    if (known) return known;
    const tensor = model.tensors[index]!;
    if (!tensor.data) throw new Error(`reference: tensor "${tensor.name}" has no value yet`);
    const constant = { shape: tensor.shape, data: Float64Array.from(tensor.data) };
    env.set(index, constant);
    return constant;
  };
  for (const op of model.operators) env.set(op.outputs[0]!, evaluate(op, get, fileBatch));
  return new Map(model.outputs.map((i) => [model.tensors[i]!.name, get(i)]));
}

function evaluate(
  op: TfliteOperator,
  get: (i: number | undefined) => RefTensor,
  fileBatch?: number,
): RefTensor {
  const bias = (i: number | undefined) => (i === undefined || i < 0 ? undefined : get(i));
  switch (op.op) {
    case 'CONV_2D':
      return activate(
        conv2d(get(op.inputs[0]), get(op.inputs[1]), bias(op.inputs[2]), op, false),
        op.activation,
      );
    case 'DEPTHWISE_CONV_2D':
      return activate(
        conv2d(get(op.inputs[0]), get(op.inputs[1]), bias(op.inputs[2]), op, true),
        op.activation,
      );
    case 'MAX_POOL_2D':
      return activate(maxPool(get(op.inputs[0]), op), op.activation);
    case 'FULLY_CONNECTED':
      return activate(
        fullyConnected(get(op.inputs[0]), get(op.inputs[1]), bias(op.inputs[2])),
        op.activation,
      );
    case 'ADD':
    case 'SUB':
    case 'MUL':
    case 'DIV':
      return activate(broadcast(get(op.inputs[0]), get(op.inputs[1]), op.op), op.activation);
    case 'RELU':
      return map(get(op.inputs[0]), (v) => Math.max(v, 0));
    case 'EXP':
      return map(get(op.inputs[0]), Math.exp);
    case 'NEG':
      return map(get(op.inputs[0]), (v) => -v);
    case 'ABS':
      return map(get(op.inputs[0]), Math.abs);
    case 'SUM':
      return reduce(get(op.inputs[0]), get(op.inputs[1]), op.keepDims, 0, (a, b) => a + b);
    case 'REDUCE_MAX':
      return reduce(get(op.inputs[0]), get(op.inputs[1]), op.keepDims, -Infinity, Math.max);
    case 'RESHAPE': {
      const x = get(op.inputs[0]);
      const shapeIndex = op.inputs[1];
      const target =
        shapeIndex !== undefined && shapeIndex >= 0 ? Array.from(get(shapeIndex).data) : op.newShape;
      if (!target) throw new Error('reference: RESHAPE without a shape');
      return { shape: reshapeTarget(x, target, fileBatch), data: x.data };
    }
  }
}

/** TF's output size and leading padding for one spatial axis. */
function window(size: number, kernel: number, stride: number, dilation: number, padding: Padding) {
  const effective = (kernel - 1) * dilation + 1;
  if (padding === 'VALID') return { out: Math.floor((size - effective) / stride) + 1, before: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  return { out, before: Math.floor(total / 2) };
}

interface ConvParams {
  padding: Padding;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
}

/** CONV_2D with an OHWI filter, or DEPTHWISE_CONV_2D with a [1, kH, kW, C·M] filter. */
function conv2d(
  x: RefTensor,
  w: RefTensor,
  b: RefTensor | undefined,
  p: ConvParams,
  depthwise: boolean,
): RefTensor {
  const [n, h, wd, c] = x.shape as [number, number, number, number];
  const [fo, kh, kw, fi] = w.shape as [number, number, number, number];
  const outC = depthwise ? fi : fo;
  const multiplier = depthwise ? fi / c : 1;
  if (depthwise ? fo !== 1 || !Number.isInteger(multiplier) : fi !== c) {
    throw new Error(`reference: filter [${w.shape.join()}] for input [${x.shape.join()}]`);
  }
  const rows = window(h, kh, p.strideH, p.dilationH, p.padding);
  const cols = window(wd, kw, p.strideW, p.dilationW, p.padding);
  const xs = x.data;
  const ws = w.data;
  const bs = b?.data ?? new Float64Array(outC);
  const out = new Float64Array(n * rows.out * cols.out * outC);
  // Per output pixel: where each filter tap that falls inside the image reads the input
  // (padding contributes nothing), and which filter position it is.
  const tapInput = new Int32Array(kh * kw);
  const tapFilter = new Int32Array(kh * kw);
  let o = 0;
  for (let bi = 0; bi < n; bi++)
    for (let oy = 0; oy < rows.out; oy++)
      for (let ox = 0; ox < cols.out; ox++) {
        let taps = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * p.strideH - rows.before + ky * p.dilationH;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * p.strideW - cols.before + kx * p.dilationW;
            if (ix < 0 || ix >= wd) continue;
            tapInput[taps] = ((bi * h + iy) * wd + ix) * c;
            tapFilter[taps++] = ky * kw + kx;
          }
        }
        for (let oc = 0; oc < outC; oc++) {
          let sum = bs[oc]!;
          if (depthwise) {
            // Output channel c·M + m reads input channel c.
            const channel = Math.floor(oc / multiplier);
            for (let t = 0; t < taps; t++) sum += xs[tapInput[t]! + channel]! * ws[tapFilter[t]! * fi + oc]!;
          } else {
            for (let t = 0; t < taps; t++) {
              const xAt = tapInput[t]!;
              const wAt = (oc * kh * kw + tapFilter[t]!) * c;
              for (let ic = 0; ic < c; ic++) sum += xs[xAt + ic]! * ws[wAt + ic]!;
            }
          }
          out[o++] = sum;
        }
      }
  return { shape: [n, rows.out, cols.out, outC], data: out };
}

/** TFLite's max pool: padded positions never win (they are skipped, not zeros). */
function maxPool(
  x: RefTensor,
  p: { padding: Padding; strideH: number; strideW: number; filterH: number; filterW: number },
): RefTensor {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const rows = window(h, p.filterH, p.strideH, 1, p.padding);
  const cols = window(w, p.filterW, p.strideW, 1, p.padding);
  const out = new Float64Array(n * rows.out * cols.out * c);
  let o = 0;
  for (let bi = 0; bi < n; bi++)
    for (let oy = 0; oy < rows.out; oy++)
      for (let ox = 0; ox < cols.out; ox++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          for (let ky = 0; ky < p.filterH; ky++) {
            const iy = oy * p.strideH - rows.before + ky;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < p.filterW; kx++) {
              const ix = ox * p.strideW - cols.before + kx;
              if (ix >= 0 && ix < w) best = Math.max(best, x.data[((bi * h + iy) * w + ix) * c + ch]!);
            }
          }
          out[o++] = best;
        }
  return { shape: [n, rows.out, cols.out, c], data: out };
}

/** TFLite flattens the input to [rows, inner] in its own (NHWC) order; weights are [units, inner]. */
function fullyConnected(x: RefTensor, w: RefTensor, b: RefTensor | undefined): RefTensor {
  const [units, inner] = w.shape as [number, number];
  const rows = x.data.length / inner;
  if (!Number.isInteger(rows))
    throw new Error(`reference: [${x.shape.join()}] does not flatten to rows of ${inner}`);
  const out = new Float64Array(rows * units);
  for (let r = 0; r < rows; r++)
    for (let u = 0; u < units; u++) {
      let sum = b ? b.data[u]! : 0;
      for (let k = 0; k < inner; k++) sum += x.data[r * inner + k]! * w.data[u * inner + k]!;
      out[r * units + u] = sum;
    }
  return { shape: [rows, units], data: out };
}

/** Numpy-style broadcasting of two operands. */
function broadcast(a: RefTensor, b: RefTensor, op: 'ADD' | 'SUB' | 'MUL' | 'DIV'): RefTensor {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pad = (s: number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const shape = sa.map((d, i) => {
    const e = sb[i]!;
    if (d !== e && d !== 1 && e !== 1)
      throw new Error(`reference: cannot broadcast [${a.shape.join()}] with [${b.shape.join()}]`);
    return Math.max(d, e);
  });
  const size = shape.reduce((x, y) => x * y, 1);
  const ia = sourceIndex(sa, shape, size);
  const ib = sourceIndex(sb, shape, size);
  const as = a.data;
  const bs = b.data;
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const x = as[ia ? ia[i]! : i % as.length]!;
    const y = bs[ib ? ib[i]! : i % bs.length]!;
    out[i] = op === 'ADD' ? x + y : op === 'SUB' ? x - y : op === 'MUL' ? x * y : x / y;
  }
  return { shape, data: out };
}

/**
 * Where each output element reads an operand of shape `s` broadcast to `shape`; undefined when
 * that is simply the flat index modulo the operand's size (equal shapes, a trailing vector).
 */
function sourceIndex(s: number[], shape: number[], size: number): Int32Array | undefined {
  const first = s.findIndex((d) => d !== 1);
  if (first === -1 || s.slice(first).every((d, i) => d === shape[first + i])) return undefined;
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(0);
  for (let d = rank - 1, acc = 1; d >= 0; d--) {
    strides[d] = s[d] === 1 ? 0 : acc;
    acc *= s[d]!;
  }
  const index = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    let rest = i;
    let at = 0;
    for (let d = rank - 1; d >= 0; d--) {
      at += (rest % shape[d]!) * strides[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    index[i] = at;
  }
  return index;
}

function map(x: RefTensor, f: (v: number) => number): RefTensor {
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x.data[i]!);
  return { shape: x.shape, data: out };
}

function reduce(
  x: RefTensor,
  axesTensor: RefTensor,
  keepDims: boolean,
  start: number,
  f: (a: number, b: number) => number,
): RefTensor {
  const rank = x.shape.length;
  const axes = new Set(Array.from(axesTensor.data, (a) => (a < 0 ? a + rank : a)));
  const kept = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const size = kept.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size).fill(start);
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < x.data.length; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) o = o * kept[d]! + (axes.has(d) ? 0 : index[d]!);
    out[o] = f(out[o]!, x.data[i]!);
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < x.shape[d]!) break;
      index[d] = 0;
    }
  }
  return { shape: keepDims ? kept : x.shape.filter((_, i) => !axes.has(i)), data: out };
}

/**
 * TFLite reshape semantics (one -1 inferred). A target whose first dimension is the batch the file
 * was exported with follows the actual batch instead, as a resized TFLite interpreter would need.
 */
function reshapeTarget(x: RefTensor, target: number[], fileBatch?: number): number[] {
  const shape = [...target];
  if (shape[0] === fileBatch && x.shape[0] !== fileBatch) shape[0] = x.shape[0]!;
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const inferred = shape.map((d) => (d === -1 ? x.data.length / known : d));
  if (inferred.reduce((a, b) => a * b, 1) !== x.data.length || inferred.some((d) => !Number.isInteger(d))) {
    throw new Error(`reference: cannot reshape [${x.shape.join()}] to [${target.join()}]`);
  }
  return inferred;
}

function activate(x: RefTensor, activation: Activation): RefTensor {
  switch (activation) {
    case 'NONE':
      return x;
    case 'RELU':
      return map(x, (v) => Math.max(v, 0));
    case 'RELU6':
      return map(x, (v) => Math.min(Math.max(v, 0), 6));
    case 'RELU_N1_TO_1':
      return map(x, (v) => Math.min(Math.max(v, -1), 1));
  }
}
