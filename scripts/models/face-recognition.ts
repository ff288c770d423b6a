import type { GraphBuilder } from './onnx-builder.js';
import type { ModelSpec } from './model-spec.js';
import {
  avgPool,
  conv,
  foldAffine,
  fromHwio,
  maxPool,
  relu,
  subtractMeanAndScale,
  toNchw,
} from './tf-layers.js';
import type { WeightMap } from './tfjs-weights.js';

// face-api's FaceRecognitionNet.ts.
const INPUT_SIZE = 150;
const MEAN_RGB = [122.782, 117.001, 104.298];

/**
 * face-api's FaceRecognitionNet (src/faceRecognitionNet/), the port of dlib's ResNet-34-style
 * face descriptor: a 7×7 stride-2 stem, 3×3 max pool, 14 residual blocks, global average pool and a
 * 256→128 projection. Each conv's "scale layer" is folded into the conv weights.
 */
export const faceRecognition: ModelSpec = {
  name: 'face_recognition',
  file: 'face_recognition.onnx',
  task: 'embedding',
  weightsManifest: 'face_recognition_model-weights_manifest.json',
  licence:
    "MIT (@vladmandic/face-api, face-api.js); port of dlib's dlib_face_recognition_resnet_model_v1 (CC0 upstream)",
  input: {
    name: 'input',
    dtype: 'float32',
    shape: ['batch', INPUT_SIZE, INPUT_SIZE, 3],
    layout: 'NHWC',
    channels: 'RGB',
    range: [0, 255],
    normalisationInGraph: '(x - [122.782, 117.001, 104.298]) / 255',
    preprocessing: 'an aligned face chip, square, resized to 150x150',
  },
  outputs: [
    {
      name: 'embedding',
      dtype: 'float32',
      shape: ['batch', 128],
      description: '128-D face descriptor, not normalised (L2-normalise before comparing)',
    },
  ],
  build(g, input, weights) {
    const x = toNchw(g, subtractMeanAndScale(g, input, MEAN_RGB));
    // 150 → 72 (stem) → 35 (pool) → 17 → 8 → 4 (conv path 3, padded) → 2 (conv path 1, padded).
    let out = relu(g, convLayer(g, x, weights, 'conv32_down', 2, 'valid'));
    out = maxPool(g, out, 3, 2, 'valid', 'max_pool');
    let size = validOutput(validOutput(INPUT_SIZE, 7, 2), 3, 2);
    for (const block of ['conv32_1', 'conv32_2', 'conv32_3']) out = residual(g, out, weights, block);
    for (const [down, blocks] of [
      ['conv64_down', ['conv64_1', 'conv64_2', 'conv64_3']],
      ['conv128_down', ['conv128_1', 'conv128_2']],
      ['conv256_down', ['conv256_1', 'conv256_2']],
      ['conv256_down_out', []],
    ] as const) {
      out = residualDown(g, out, weights, down, size);
      size = Math.floor(size / 2);
      for (const block of blocks) out = residual(g, out, weights, block);
    }
    const pooled = g.op('ReduceMean', [out], { axes: [2, 3], keepdims: 0 }, 'global_avg_pool');
    const fc = weights.get('fc', [256, 128]);
    return { embedding: g.op('MatMul', [pooled, g.weight('fc', fc.shape, fc.data)]) };
  },
};

/** face-api's convLayer: conv + bias, then the scale layer (x · weights + biases), folded. */
function convLayer(
  g: GraphBuilder,
  x: string,
  weights: WeightMap,
  prefix: string,
  stride: number,
  padding: 'same' | 'valid',
) {
  const w = fromHwio(weights.get(`${prefix}/conv/filters`), weights.get(`${prefix}/conv/bias`));
  const folded = foldAffine(
    w,
    weights.get(`${prefix}/scale/weights`).data,
    weights.get(`${prefix}/scale/biases`).data,
  );
  return conv(g, x, folded, prefix, stride, padding);
}

function residual(g: GraphBuilder, x: string, weights: WeightMap, prefix: string): string {
  const out = relu(g, convLayer(g, x, weights, `${prefix}/conv1`, 1, 'same'));
  return relu(g, g.op('Add', [convLayer(g, out, weights, `${prefix}/conv2`, 1, 'same'), x]));
}

/**
 * face-api's residualDown: the main path downsamples with a 'valid' stride-2 conv, the shortcut
 * with a 2×2 average pool whose channels are zero-padded to match. When the input size is even
 * the conv path comes out one pixel smaller, and face-api appends a zero row and column to it.
 */
function residualDown(
  g: GraphBuilder,
  x: string,
  weights: WeightMap,
  prefix: string,
  inputSize: number,
): string {
  let out = relu(g, convLayer(g, x, weights, `${prefix}/conv1`, 2, 'valid'));
  out = convLayer(g, out, weights, `${prefix}/conv2`, 1, 'same');
  if (validOutput(inputSize, 3, 2) !== Math.floor(inputSize / 2)) {
    out = g.op('Pad', [out, g.int64s([0, 0, 0, 0, 0, 0, 1, 1])], {}, `${prefix}/pad_bottom_right`);
  }
  let shortcut = avgPool(g, x, 2, 2, `${prefix}/shortcut`);
  const inChannels = weights.get(`${prefix}/conv1/conv/filters`).shape[2]!;
  const outChannels = weights.get(`${prefix}/conv2/conv/filters`).shape[3]!;
  if (inChannels !== outChannels) {
    const extra = outChannels - inChannels;
    shortcut = g.op('Pad', [shortcut, g.int64s([0, 0, 0, 0, 0, extra, 0, 0])], {}, `${prefix}/pad_channels`);
  }
  return relu(g, g.op('Add', [shortcut, out]));
}

/** Output size of a TF 'valid' window. */
function validOutput(size: number, kernel: number, stride: number): number {
  return Math.floor((size - kernel) / stride) + 1;
}
