import type { GraphBuilder } from './onnx-builder.js';
import type { ModelSpec } from './model-spec.js';
import { conv, foldBatchNorm, fromDepthwise, fromHwio, relu6, toNchw, withBias } from './tf-layers.js';
import type { WeightMap } from './tfjs-weights.js';

const INPUT_SIZE = 512;
const ANCHORS = 5118;
// face-api's mobileNetV1.ts.
const BATCH_NORM_EPSILON = 0.0010000000474974513;
const STRIDE_2_LAYERS = new Set([2, 4, 6, 12]);

/**
 * face-api's SsdMobilenetv1 (src/ssdMobilenetv1/): MobileNetV1 backbone, eight extra feature
 * layers and six box predictors. Box decoding against the 5118 stored anchors and the sigmoid of
 * the face class happen in the graph; non-maximum suppression is left to the caller.
 */
export const ssdMobilenetV1: ModelSpec = {
  name: 'ssd_mobilenetv1',
  file: 'ssd_mobilenetv1.onnx',
  task: 'detection',
  weights: { package: '@vladmandic/face-api', manifest: 'ssd_mobilenetv1_model-weights_manifest.json' },
  licence:
    'MIT (@vladmandic/face-api, face-api.js); SSD MobileNetV1 face detector trained on WIDER FACE with the ' +
    'TensorFlow Object Detection API (Apache-2.0 upstream)',
  input: {
    name: 'input',
    dtype: 'float32',
    shape: ['batch', INPUT_SIZE, INPUT_SIZE, 3],
    layout: 'NHWC',
    channels: 'RGB',
    range: [0, 255],
    normalisationInGraph: 'x / 127.5 - 1',
    preprocessing: 'pad the image to a square at the bottom/right with black, resize to 512x512',
  },
  outputs: [
    {
      name: 'boxes',
      dtype: 'float32',
      shape: ['batch', ANCHORS, 4],
      description:
        'decoded boxes (ymin, xmin, ymax, xmax), 0..1 relative to the padded square, one per anchor',
    },
    {
      name: 'scores',
      dtype: 'float32',
      shape: ['batch', ANCHORS],
      description: 'face probability per anchor (sigmoid), no non-maximum suppression applied',
    },
  ],
  build(g, input, weights) {
    const normalised = g.op('Sub', [g.op('Div', [input, g.scalar(127.5)]), g.scalar(1)], {}, 'normalise');
    const { out, conv11 } = mobileNetV1(g, toNchw(g, normalised), weights);
    const features = [conv11, ...extraFeatureLayers(g, out, weights)];
    const predictions = features.map((x, i) => boxPredictor(g, x, weights, i));
    const encodings = g.op(
      'Concat',
      predictions.map((p) => p.encoding),
      { axis: 1 },
      'box_encodings',
    );
    const classes = g.op(
      'Concat',
      predictions.map((p) => p.classes),
      { axis: 1 },
      'class_predictions',
    );
    return { boxes: decodeBoxes(g, encodings, weights), scores: faceScores(g, classes) };
  },
};

/** face-api's pointwiseConvLayer: conv (any kernel size, TF 'same') + bias, then relu6. */
function pointwiseConv(
  g: GraphBuilder,
  x: string,
  weights: WeightMap,
  prefix: string,
  stride: number,
): string {
  const w = withBias(
    fromHwio(weights.get(`${prefix}/weights`)),
    weights.get(`${prefix}/convolution_bn_offset`),
  );
  return relu6(g, conv(g, x, w, prefix, stride));
}

function mobileNetV1(g: GraphBuilder, x: string, weights: WeightMap): { out: string; conv11: string } {
  let out = pointwiseConv(g, x, weights, 'MobilenetV1/Conv2d_0_pointwise', 2);
  let conv11: string | undefined;
  for (let layer = 1; layer <= 13; layer++) {
    const prefix = `MobilenetV1/Conv2d_${layer}_depthwise`;
    const depthwise = foldBatchNorm(
      fromDepthwise(weights.get(`${prefix}/depthwise_weights`)),
      {
        gamma: weights.get(`${prefix}/BatchNorm/gamma`),
        beta: weights.get(`${prefix}/BatchNorm/beta`),
        mean: weights.get(`${prefix}/BatchNorm/moving_mean`),
        variance: weights.get(`${prefix}/BatchNorm/moving_variance`),
      },
      BATCH_NORM_EPSILON,
    );
    out = relu6(g, conv(g, out, depthwise, prefix, STRIDE_2_LAYERS.has(layer) ? 2 : 1));
    out = pointwiseConv(g, out, weights, `MobilenetV1/Conv2d_${layer}_pointwise`, 1);
    if (layer === 11) conv11 = out;
  }
  if (!conv11) throw new Error('MobileNetV1 has no layer 11');
  return { out, conv11 };
}

/** face-api's predictionLayer: returns the inputs of box predictors 1–5. */
function extraFeatureLayers(g: GraphBuilder, x: string, weights: WeightMap): string[] {
  const features = [x];
  let out = x;
  for (let layer = 0; layer < 8; layer++) {
    out = pointwiseConv(g, out, weights, `Prediction/Conv2d_${layer}_pointwise`, layer % 2 === 1 ? 2 : 1);
    if (layer % 2 === 1) features.push(out);
  }
  return features;
}

/**
 * One SSD head. TF reshapes the NHWC conv output, so anchors are ordered (row, column, anchor);
 * transposing back to NHWC before the reshape keeps that order.
 */
function boxPredictor(g: GraphBuilder, x: string, weights: WeightMap, index: number) {
  const head = (kind: string, values: number) => {
    const prefix = `Prediction/BoxPredictor_${index}/${kind}`;
    const w = fromHwio(weights.get(`${prefix}/weights`), weights.get(`${prefix}/biases`));
    const nhwc = g.op('Transpose', [conv(g, x, w, prefix)], { perm: [0, 2, 3, 1] });
    return g.op('Reshape', [nhwc, g.int64s([0, -1, values])]);
  };
  return { encoding: head('BoxEncodingPredictor', 4), classes: head('ClassPredictor', 3) };
}

/**
 * face-api's outputLayer.decodeBoxesLayer: anchors and encodings are (y, x, h, w)-ordered;
 * centre = t_yx / 10 · anchor_size + anchor_centre, half size = exp(t_hw / 5) · anchor_size / 2.
 * The anchor sizes and centres are precomputed with the same float32 rounding TF applies.
 */
function decodeBoxes(g: GraphBuilder, encodings: string, weights: WeightMap): string {
  const anchors = weights.get('Output/extra_dim', [1, ANCHORS, 4]).data;
  const sizes = new Float32Array(ANCHORS * 2);
  const centres = new Float32Array(ANCHORS * 2);
  for (let a = 0; a < ANCHORS; a++) {
    for (let axis = 0; axis < 2; axis++) {
      const start = anchors[a * 4 + axis]!;
      const size = Math.fround(anchors[a * 4 + axis + 2]! - start);
      sizes[a * 2 + axis] = size;
      centres[a * 2 + axis] = start + Math.fround(size / 2);
    }
  }
  const anchorSize = g.weight('anchor_sizes', [1, ANCHORS, 2], sizes);
  const anchorCentre = g.weight('anchor_centres', [1, ANCHORS, 2], centres);
  const axes = g.int64s([2]);
  const offsets = g.op('Slice', [encodings, g.int64s([0]), g.int64s([2]), axes], {}, 'encoded_centre');
  const scales = g.op('Slice', [encodings, g.int64s([2]), g.int64s([4]), axes], {}, 'encoded_size');
  const centre = g.op('Add', [g.op('Mul', [g.op('Div', [offsets, g.scalar(10)]), anchorSize]), anchorCentre]);
  const half = g.op('Div', [
    g.op('Mul', [g.op('Exp', [g.op('Div', [scales, g.scalar(5)])]), anchorSize]),
    g.scalar(2),
  ]);
  return g.op(
    'Concat',
    [g.op('Sub', [centre, half]), g.op('Add', [centre, half])],
    { axis: 2 },
    'decoded_boxes',
  );
}

/** Class 0 is background; face-api takes the sigmoid of class 1 ("face"). */
function faceScores(g: GraphBuilder, classes: string): string {
  const face = g.op('Slice', [classes, g.int64s([1]), g.int64s([2]), g.int64s([2])], {}, 'face_logit');
  return g.op('Reshape', [g.op('Sigmoid', [face]), g.int64s([0, -1])], {}, 'face_scores');
}
