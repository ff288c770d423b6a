import { FloatAttr, type GraphBuilder } from './onnx-builder.js';
import type { Weight } from './tfjs-weights.js';

/** Convolution parameters in ONNX layout: kernel [out, in / group, kH, kW], bias [out]. */
export interface ConvWeights {
  dims: readonly [number, number, number, number];
  kernel: Float32Array;
  bias?: Float32Array;
  group: number;
}

/**
 * TF padding: 'same' (TF pads the extra row/column at the bottom/right, which is exactly ONNX's
 * SAME_UPPER), 'valid', or explicit [top, left, bottom, right].
 */
export type Padding = 'same' | 'valid' | readonly [number, number, number, number];

/** A regular TF.js conv filter [kH, kW, in, out] (HWIO) → OIHW. */
export function fromHwio(filter: Weight, bias?: Weight): ConvWeights {
  const [kh, kw, cin, cout] = dims4(filter);
  const kernel = new Float32Array(filter.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) {
          kernel[((o * cin + i) * kh + y) * kw + x] = filter.data[((y * kw + x) * cin + i) * cout + o]!;
        }
  return { dims: [cout, cin, kh, kw], kernel, bias: bias && checkedBias(bias, cout), group: 1 };
}

/** A TF.js depthwise filter [kH, kW, channels, 1] → a grouped conv [channels, 1, kH, kW]. */
export function fromDepthwise(filter: Weight): ConvWeights {
  const [kh, kw, channels, multiplier] = dims4(filter);
  if (multiplier !== 1) throw new Error(`depthwise channel multiplier ${multiplier} is not supported`);
  const kernel = new Float32Array(filter.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < channels; c++)
        kernel[(c * kh + y) * kw + x] = filter.data[(y * kw + x) * channels + c]!;
  return { dims: [channels, 1, kh, kw], kernel, group: channels };
}

export function withBias(conv: ConvWeights, bias: Weight): ConvWeights {
  return { ...conv, bias: checkedBias(bias, conv.dims[0]) };
}

/** Folds a per-channel affine layer that follows the conv: (conv(x) + b) · scale + shift. */
export function foldAffine(
  conv: ConvWeights,
  scale: ArrayLike<number>,
  shift: ArrayLike<number>,
): ConvWeights {
  const [cout] = conv.dims;
  const perChannel = conv.kernel.length / cout;
  const kernel = conv.kernel.map((w, i) => w * scale[Math.floor(i / perChannel)]!);
  const bias = new Float32Array(cout).map((_, o) => (conv.bias?.[o] ?? 0) * scale[o]! + shift[o]!);
  return { ...conv, kernel, bias };
}

/** Folds inference-mode batch norm: (x − mean) · gamma / √(variance + ε) + beta. */
export function foldBatchNorm(
  conv: ConvWeights,
  bn: { mean: Weight; variance: Weight; gamma: Weight; beta: Weight },
  epsilon: number,
): ConvWeights {
  const scale = Array.from(bn.gamma.data, (g, c) => g / Math.sqrt(bn.variance.data[c]! + epsilon));
  const shift = Array.from(bn.beta.data, (b, c) => b - bn.mean.data[c]! * scale[c]!);
  return foldAffine(conv, scale, shift);
}

/** Emits a Conv node (NCHW) with the given weights. */
export function conv(
  g: GraphBuilder,
  x: string,
  w: ConvWeights,
  name: string,
  stride = 1,
  padding: Padding = 'same',
): string {
  const inputs = [x, g.weight(`${name}/W`, w.dims, w.kernel)];
  if (w.bias) inputs.push(g.weight(`${name}/B`, [w.dims[0]], w.bias));
  return g.op(
    'Conv',
    inputs,
    { kernel_shape: [w.dims[2], w.dims[3]], strides: [stride, stride], group: w.group, ...padAttrs(padding) },
    name,
  );
}

export function maxPool(
  g: GraphBuilder,
  x: string,
  size: number,
  stride: number,
  padding: Padding,
  name: string,
) {
  return g.op(
    'MaxPool',
    [x],
    { kernel_shape: [size, size], strides: [stride, stride], ...padAttrs(padding) },
    name,
  );
}

/** TF's avgPool with 'valid' padding (the only kind these networks use). */
export function avgPool(g: GraphBuilder, x: string, size: number, stride: number, name: string) {
  return g.op('AveragePool', [x], { kernel_shape: [size, size], strides: [stride, stride] }, name);
}

export function relu(g: GraphBuilder, x: string): string {
  return g.op('Relu', [x]);
}

/** TF's clipByValue(x, 0, 6). */
export function relu6(g: GraphBuilder, x: string): string {
  return g.op('Clip', [x, g.scalar(0), g.scalar(6)], {}, 'Relu6');
}

/** face-api's `leaky` (relu(x − 0.1x) + 0.1x) is exactly a leaky ReLU with slope 0.1. */
export function leakyRelu(g: GraphBuilder, x: string): string {
  return g.op('LeakyRelu', [x], { alpha: new FloatAttr(0.1) });
}

/** The callers feed NHWC (what image decoders produce); ONNX convolutions want NCHW. */
export function toNchw(g: GraphBuilder, x: string): string {
  return g.op('Transpose', [x], { perm: [0, 3, 1, 2] }, 'to_nchw');
}

/** `(x − meanRgb) / divisor`: face-api's `normalize(x, meanRgb).div(255)`, dlib's `/ 256`. */
export function subtractMeanAndScale(
  g: GraphBuilder,
  x: string,
  meanRgb: readonly number[],
  divisor: number,
): string {
  const centred = g.op('Sub', [x, g.floats([3], meanRgb)], {}, 'mean_rgb');
  return g.op('Div', [centred, g.scalar(divisor)], {}, `div_${divisor}`);
}

function padAttrs(padding: Padding): Record<string, string | number[]> {
  if (padding === 'same') return { auto_pad: 'SAME_UPPER' };
  if (padding === 'valid') return {};
  const [top, left, bottom, right] = padding;
  return { pads: [top, left, bottom, right] };
}

function dims4(w: Weight): [number, number, number, number] {
  const [a, b, c, d] = w.shape;
  if (w.shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`expected a 4-D filter, got [${w.shape.join()}]`);
  }
  return [a, b, c, d];
}

function checkedBias(bias: Weight, channels: number): Float32Array {
  if (bias.data.length !== channels)
    throw new Error(`bias has ${bias.data.length} values for ${channels} channels`);
  return bias.data;
}
