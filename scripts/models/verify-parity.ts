/**
 * `tsx scripts/models/verify-parity.ts`: runs every converted network in onnxruntime-node and in
 * face-api's own TF.js implementation (CPU backend) on the same inputs — a demo photo and seeded
 * random noise — and prints the largest absolute difference per output, then ORT timings.
 * Exits non-zero when a difference exceeds the tolerance. TF.js on the CPU is slow: about a minute.
 */
import path from 'node:path';

import type { InferenceSession } from 'onnxruntime-node';

import { convertModel, locatePackage } from './converter.js';
import { faceLandmark68 } from './face-landmark-68.js';
import { faceRecognition } from './face-recognition.js';
import { faceCrop, letterboxSquare } from './image-input.js';
import type { ModelSpec } from './model-spec.js';
import { createSession, runModel, type Output } from './ort-session.js';
import { ssdMobilenetV1 } from './ssd-mobilenetv1.js';
import { TfjsReference } from './tfjs-reference.js';
import { tinyFaceDetector } from './tiny-face-detector.js';

const TOLERANCE = 1e-4;
const TIMING_RUNS = 20;

const faceApi = await locatePackage('@vladmandic/face-api');
const sample = path.join(faceApi.dir, 'demo', 'sample1.jpg');
console.log(
  `parity: ${faceApi.source.name} ${faceApi.source.version}, TF.js cpu backend vs onnxruntime-node`,
);
const reference = await TfjsReference.load(faceApi.dir);
const session = async (spec: ModelSpec) => createSession((await convertModel(spec, faceApi)).onnx);
const sessions = {
  ssd: await session(ssdMobilenetV1),
  landmarks: await session(faceLandmark68),
  recognition: await session(faceRecognition),
  tiny: await session(tinyFaceDetector),
};

const ssdSample = await letterboxSquare(sample, 512);
const faceBox = await bestSsdBox(ssdSample);
const landmarkBatch = concat(await faceCrop(sample, faceBox, 112), noise(112 * 112 * 3, 3));
const recognitionBatch = concat(await faceCrop(sample, faceBox, 150), noise(150 * 150 * 3, 4));
const random512 = noise(512 * 512 * 3, 1);
const tinySample = await letterboxSquare(sample, 416);
const random320 = noise(320 * 320 * 3, 2);

interface ParityCase {
  model: string;
  label: string;
  session: InferenceSession;
  input: Float32Array;
  shape: number[];
  reference: () => Promise<Record<string, Float32Array>>;
}

const cases: ParityCase[] = [
  {
    model: 'ssd_mobilenetv1',
    label: 'sample1.jpg 512',
    session: sessions.ssd,
    input: ssdSample,
    shape: [1, 512, 512, 3],
    reference: () => reference.ssd(ssdSample),
  },
  {
    model: 'ssd_mobilenetv1',
    label: 'random 512',
    session: sessions.ssd,
    input: random512,
    shape: [1, 512, 512, 3],
    reference: () => reference.ssd(random512),
  },
  {
    model: 'tiny_face_detector',
    label: 'sample1.jpg 416',
    session: sessions.tiny,
    input: tinySample,
    shape: [1, 416, 416, 3],
    reference: () => reference.tinyFaceDetector(tinySample, 416),
  },
  {
    model: 'tiny_face_detector',
    label: 'random 320',
    session: sessions.tiny,
    input: random320,
    shape: [1, 320, 320, 3],
    reference: () => reference.tinyFaceDetector(random320, 320),
  },
  {
    model: 'face_landmark_68',
    label: 'face crop + random 112',
    session: sessions.landmarks,
    input: landmarkBatch,
    shape: [2, 112, 112, 3],
    reference: async () => ({ landmarks: await reference.landmarks(landmarkBatch, 2) }),
  },
  {
    model: 'face_recognition',
    label: 'face crop + random 150',
    session: sessions.recognition,
    input: recognitionBatch,
    shape: [2, 150, 150, 3],
    reference: async () => ({ embedding: await reference.embedding(recognitionBatch, 2) }),
  },
];

let worst = 0;
for (const c of cases) {
  const ort = await runModel(c.session, c.input, c.shape);
  const diffs = Object.entries(await c.reference()).map(([name, expected]) => {
    const actual = data(ort, name);
    if (actual.length !== expected.length)
      throw new Error(`${c.model} ${name}: ${actual.length} vs ${expected.length} values`);
    const diff = actual.reduce((max, v, i) => Math.max(max, Math.abs(v - expected[i]!)), 0);
    worst = Math.max(worst, diff);
    return `${name} ${diff.toExponential(1)}`;
  });
  console.log(`  ${c.model.padEnd(20)} ${c.label.padEnd(24)} max |ORT - TF.js|: ${diffs.join(', ')}`);
}

console.log(
  `ORT inference time, 2 intra-op threads, ${TIMING_RUNS} runs (the fastest is the least disturbed by other load):`,
);
for (const [label, model, shape] of [
  ['ssd_mobilenetv1 1x512', sessions.ssd, [1, 512, 512, 3]],
  ['tiny_face_detector 1x416', sessions.tiny, [1, 416, 416, 3]],
  ['face_landmark_68 1x112', sessions.landmarks, [1, 112, 112, 3]],
  ['face_landmark_68 8x112', sessions.landmarks, [8, 112, 112, 3]],
  ['face_recognition 1x150', sessions.recognition, [1, 150, 150, 3]],
  ['face_recognition 8x150', sessions.recognition, [8, 150, 150, 3]],
] as const) {
  const input = noise(
    shape.reduce<number>((a, b) => a * b, 1),
    5,
  );
  await runModel(model, input, [...shape]);
  const times: number[] = [];
  for (let i = 0; i < TIMING_RUNS; i++) {
    const t0 = performance.now();
    await runModel(model, input, [...shape]);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(
    `  ${label.padEnd(26)} median ${times[TIMING_RUNS >> 1]!.toFixed(2)} ms, fastest ${times[0]!.toFixed(2)} ms`,
  );
}

console.log(`worst difference ${worst.toExponential(1)} (tolerance ${TOLERANCE})`);
if (worst > TOLERANCE) process.exitCode = 1;

/** A real face for the landmark and recognition nets: the best SSD detection, cropped as face-api crops. */
async function bestSsdBox(input: Float32Array) {
  const outputs = await runModel(sessions.ssd, input, [1, 512, 512, 3]);
  const scores = data(outputs, 'scores');
  const best = scores.indexOf(Math.max(...scores));
  const [ymin = 0, xmin = 0, ymax = 1, xmax = 1] = data(outputs, 'boxes').subarray(best * 4, best * 4 + 4);
  return { ymin, xmin, ymax, xmax };
}

function data(outputs: Record<string, Output>, name: string): Float32Array {
  const output = outputs[name];
  if (!output) throw new Error(`no output ${name}`);
  return output.data;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Seeded uniform noise in 0..255 (mulberry32), so runs are reproducible. */
function noise(length: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length }, () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 255;
  });
}
