import type { GraphBuilder } from './onnx-builder.js';
import type { ModelSpec } from './model-spec.js';
import {
  avgPool,
  conv,
  fromDepthwise,
  fromHwio,
  relu,
  subtractMeanAndScale,
  toNchw,
  withBias,
} from './tf-layers.js';
import type { WeightMap } from './tfjs-weights.js';

// face-api's FaceFeatureExtractor.ts.
const MEAN_RGB = [122.782, 117.001, 104.298];

/**
 * face-api's FaceLandmark68Net (src/faceLandmarkNet/, src/faceFeatureExtractor/): four densely
 * connected blocks of separable convolutions, a 7×7 average pool and a fully connected layer.
 * The output is the raw regression, i.e. before face-api's postProcess, which only maps the points
 * from the padded square back onto the unpadded crop.
 */
export const faceLandmark68: ModelSpec = {
  name: 'face_landmark_68',
  file: 'face_landmark_68.onnx',
  task: 'landmarks',
  weights: { package: '@vladmandic/face-api', manifest: 'face_landmark_68_model-weights_manifest.json' },
  licence: 'MIT (@vladmandic/face-api, face-api.js)',
  input: {
    name: 'input',
    dtype: 'float32',
    shape: ['batch', 112, 112, 3],
    layout: 'NHWC',
    channels: 'RGB',
    range: [0, 255],
    normalisationInGraph: '(x - [122.782, 117.001, 104.298]) / 255',
    preprocessing:
      'crop the face box, pad it to a square centred (equal black borders on both sides), resize to 112x112',
  },
  outputs: [
    {
      name: 'landmarks',
      dtype: 'float32',
      shape: ['batch', 136],
      description: '68 points as x0, y0, x1, y1, ..., 0..1 relative to the padded square input',
    },
  ],
  build(g, input, weights) {
    let out = toNchw(g, subtractMeanAndScale(g, input, MEAN_RGB, 255));
    for (let block = 0; block < 4; block++) out = denseBlock(g, out, weights, `dense${block}`, block === 0);
    const pooled = avgPool(g, out, 7, 2, 'avg_pool');
    const flat = g.op('Flatten', [pooled], { axis: 1 });
    const fcWeights = weights.get('fc/weights', [256, 136]);
    const fc = g.op('Gemm', [
      flat,
      g.weight('fc/weights', fcWeights.shape, fcWeights.data),
      g.weight('fc/bias', [136], weights.get('fc/bias', [136]).data),
    ]);
    return { landmarks: fc };
  },
};

/** tf.separableConv2d (depthwise, then 1×1 pointwise, TF 'same') followed by the bias. */
function separableConv(
  g: GraphBuilder,
  x: string,
  weights: WeightMap,
  prefix: string,
  stride: number,
): string {
  const depthwise = fromDepthwise(weights.get(`${prefix}/depthwise_filter`));
  const pointwise = withBias(
    fromHwio(weights.get(`${prefix}/pointwise_filter`)),
    weights.get(`${prefix}/bias`),
  );
  return conv(g, conv(g, x, depthwise, `${prefix}/depthwise`, stride), pointwise, `${prefix}/pointwise`);
}

/**
 * face-api's denseBlock4: out1 = relu(conv0(x)) at stride 2, then each further separable conv
 * reads relu of the sum of all earlier outputs; the block returns relu of the sum of all four.
 */
function denseBlock(
  g: GraphBuilder,
  x: string,
  weights: WeightMap,
  prefix: string,
  isFirst: boolean,
): string {
  const name = `${prefix}/conv0`;
  const conv0 = isFirst
    ? conv(g, x, fromHwio(weights.get(`${name}/filters`), weights.get(`${name}/bias`)), name, 2)
    : separableConv(g, x, weights, name, 2);
  const outputs = [relu(g, conv0)];
  for (let i = 1; i <= 3; i++) {
    const input = i === 1 ? outputs[0]! : relu(g, sum(g, outputs));
    outputs.push(separableConv(g, input, weights, `${prefix}/conv${i}`, 1));
  }
  return relu(g, sum(g, outputs));
}

/**
 * Adds right to left as face-api does (out1 + (out2 + (out3 + out4))), so float rounding matches.
 */
function sum(g: GraphBuilder, values: string[]): string {
  return values.reduceRight((acc, v) => g.op('Add', [v, acc]));
}
