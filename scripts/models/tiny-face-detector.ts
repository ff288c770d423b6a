import type { GraphBuilder } from './onnx-builder.js';
import { DataType } from './onnx-proto.js';
import type { ModelSpec } from './model-spec.js';
import {
  conv,
  fromDepthwise,
  fromHwio,
  leakyRelu,
  maxPool,
  subtractMeanAndScale,
  toNchw,
  withBias,
} from './tf-layers.js';
import type { WeightMap } from './tfjs-weights.js';

// face-api's tinyFaceDetector/const.ts: anchor (width, height) in grid cells, and the input mean.
const BOX_ANCHORS = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
] as const;
const MEAN_RGB = [117.001, 114.697, 97.404];
/** Per anchor and cell: tx, ty, tw, th, objectness (one class, so no class scores). */
const BOX_ENCODING = 5;

/**
 * face-api's TinyFaceDetector (a TinyYolov2 with separable convolutions, src/tinyYolov2/). The
 * spatial size is dynamic (any multiple of 32; face-api uses 416 by default), so the YOLO grid is
 * built from the feature map's shape inside the graph. Boxes are decoded as face-api's
 * extractBoxes does and laid out like the SSD outputs so the same post-processing applies.
 */
export const tinyFaceDetector: ModelSpec = {
  name: 'tiny_face_detector',
  file: 'tiny_face_detector.onnx',
  task: 'detection',
  weights: { package: '@vladmandic/face-api', manifest: 'tiny_face_detector_model-weights_manifest.json' },
  licence: 'MIT (@vladmandic/face-api, face-api.js)',
  input: {
    name: 'input',
    dtype: 'float32',
    shape: ['batch', 'height', 'width', 3],
    layout: 'NHWC',
    channels: 'RGB',
    range: [0, 255],
    normalisationInGraph: '(x - [117.001, 114.697, 97.404]) / 255',
    preprocessing:
      'pad the image to a square at the bottom/right with black, resize to a multiple of 32 (face-api default 416x416)',
  },
  outputs: [
    {
      name: 'boxes',
      dtype: 'float32',
      shape: ['batch', 'anchors', 4],
      description:
        'decoded boxes (ymin, xmin, ymax, xmax), 0..1 relative to the padded square; ' +
        'anchors = (height / 32) * (width / 32) * 5, ordered (row, column, anchor)',
    },
    {
      name: 'scores',
      dtype: 'float32',
      shape: ['batch', 'anchors'],
      description:
        'face probability per anchor (sigmoid of the objectness), no non-maximum suppression applied',
    },
  ],
  build(g, input, weights) {
    let out = toNchw(g, subtractMeanAndScale(g, input, MEAN_RGB, 255));
    const conv0 = fromHwio(weights.get('conv0/filters'), weights.get('conv0/bias'));
    out = leakyRelu(g, conv(g, out, conv0, 'conv0', 1, 'valid'));
    for (let layer = 1; layer <= 5; layer++) {
      out = maxPool(g, out, 2, 2, 'same', `pool${layer}`);
      out = separableConv(g, out, weights, `conv${layer}`);
    }
    out = maxPool(g, out, 2, 1, 'same', 'pool6');
    const conv8 = fromHwio(weights.get('conv8/filters'), weights.get('conv8/bias'));
    return decode(g, conv(g, out, conv8, 'conv8', 1, 'valid'));
  },
};

/** face-api's tinyYolov2 depthwiseSeparableConv: explicit 1-pixel zero pad, 'valid' separable conv, bias, leaky. */
function separableConv(g: GraphBuilder, x: string, weights: WeightMap, prefix: string): string {
  const depthwise = fromDepthwise(weights.get(`${prefix}/depthwise_filter`));
  const pointwise = withBias(
    fromHwio(weights.get(`${prefix}/pointwise_filter`)),
    weights.get(`${prefix}/bias`),
  );
  const dw = conv(g, x, depthwise, `${prefix}/depthwise`, 1, [1, 1, 1, 1]);
  return leakyRelu(g, conv(g, dw, pointwise, `${prefix}/pointwise`, 1, 'valid'));
}

/**
 * face-api's TinyYolov2Base.extractBoxes for one class, computed in (y, x) order:
 * centre = (cell + sigmoid(t_yx)) / cells, size = exp(t_hw) · anchor / cells, score = sigmoid(t_o).
 */
function decode(g: GraphBuilder, head: string): Record<string, string> {
  // [batch, 25, rows, cols] → [batch, rows·cols·5, 5] in face-api's (row, col, anchor) order.
  const nhwc = g.op('Transpose', [head], { perm: [0, 2, 3, 1] });
  const encoded = g.op('Reshape', [nhwc, g.int64s([0, -1, BOX_ENCODING])], {}, 'encoded');
  const pick = (indices: number[], name: string) =>
    g.op('Gather', [encoded, g.int64s(indices)], { axis: 2 }, name);

  const gridShape = g.op('Slice', [g.op('Shape', [head]), g.int64s([2]), g.int64s([4])], {}, 'grid_shape');
  const cells = g.op('Cast', [gridShape], { to: DataType.FLOAT }, 'cells_yx');
  const grid = cellGrid(g, gridShape);
  const anchors = g.floats(
    [1, 1, BOX_ANCHORS.length, 2],
    BOX_ANCHORS.flatMap(([w, h]) => [h, w]),
  );
  const anchorSizes = g.op(
    'Reshape',
    [g.op('Expand', [anchors, grid.shape]), g.int64s([1, -1, 2])],
    {},
    'anchor_sizes',
  );

  const centre = g.op('Div', [g.op('Add', [g.op('Sigmoid', [pick([1, 0], 't_yx')]), grid.cells]), cells]);
  const size = g.op('Div', [g.op('Mul', [g.op('Exp', [pick([3, 2], 't_hw')]), anchorSizes]), cells]);
  const min = g.op('Sub', [centre, g.op('Div', [size, g.scalar(2)])], {}, 'box_min');
  const boxes = g.op('Concat', [min, g.op('Add', [min, size])], { axis: 2 }, 'decoded_boxes');
  const scores = g.op('Reshape', [g.op('Sigmoid', [pick([4], 't_o')]), g.int64s([0, -1])], {}, 'face_scores');
  return { boxes, scores };
}

/**
 * The (row, col) index of every (row, col, anchor) entry as a [1, rows·cols·5, 2] float tensor,
 * and the [rows, cols, 5, 2] shape it was expanded to (reused for the anchor sizes).
 */
function cellGrid(g: GraphBuilder, gridShape: string): { cells: string; shape: string } {
  const anchors = BOX_ANCHORS.length;
  const indexShape = g.op('Concat', [gridShape, g.int64s([anchors, 1])], { axis: 0 }, 'grid_index_shape');
  const indices = (axis: number, viewShape: number[]) => {
    const count = g.op('Gather', [gridShape, g.int64(axis)], { axis: 0 });
    const range = g.op('Cast', [g.op('Range', [g.int64(0), count, g.int64(1)])], { to: DataType.FLOAT });
    return g.op('Expand', [g.op('Reshape', [range, g.int64s(viewShape)]), indexShape]);
  };
  const pairs = g.op('Concat', [indices(0, [-1, 1, 1, 1]), indices(1, [1, -1, 1, 1])], { axis: 3 });
  const cells = g.op('Reshape', [pairs, g.int64s([1, -1, 2])], {}, 'grid_cells');
  const shape = g.op('Concat', [gridShape, g.int64s([anchors, 2])], { axis: 0 }, 'grid_pair_shape');
  return { cells, shape };
}
