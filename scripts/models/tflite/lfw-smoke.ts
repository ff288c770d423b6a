/**
 * `tsx scripts/models/tflite/lfw-smoke.ts [pairs per class]`: a behaviour check of the four
 * converted TFLite networks on LFW View 1 (../shared/lfw-dev). Minimal MTCNN → five-point
 * similarity warp onto the ArcFace 112×112 template → MobileFaceNet → cosine distance, on the
 * first N same-person and N different-person DevTest pairs (default 100 each); prints the accuracy
 * at the best threshold on those pairs (optimistic by construction: a smoke test, not a benchmark).
 * A wrong transposition, normalisation or landmark order drops it far below 95 %.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { InferenceSession, Tensor } from 'onnxruntime-node';

import { alignFace, decodeRgb } from './check-image.js';
import { convertTfliteModel } from './convert-tflite.js';
import { MtcnnCheck, type DetectedFace } from './mtcnn-check.js';
import { TFLITE_PACKAGE, mobileFaceNet, mtcnnOnet, mtcnnPnet, mtcnnRnet } from './specs.js';

const LFW = path.resolve(import.meta.dirname, '../../../../shared/lfw-dev');
const perClass = Number(process.argv[2] ?? 100);

const packageDir = path.dirname(createRequire(import.meta.url).resolve(`${TFLITE_PACKAGE}/package.json`));
const onnx = async (spec: typeof mobileFaceNet) => (await convertTfliteModel(spec, packageDir)).onnx;
const mtcnn = await MtcnnCheck.create({
  pnet: await onnx(mtcnnPnet),
  rnet: await onnx(mtcnnRnet),
  onet: await onnx(mtcnnOnet),
});
const embedder = await InferenceSession.create(await onnx(mobileFaceNet), {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
});

const lines = (await readFile(path.join(LFW, 'pairsDevTest.txt'), 'utf8')).trim().split('\n').slice(1);
const pairs = lines.map((line) => {
  const f = line.trim().split('\t');
  const image = (name: string, n: string) => `${name}/${name}_${n.padStart(4, '0')}.jpg`;
  return f.length === 3
    ? { same: true, a: image(f[0]!, f[1]!), b: image(f[0]!, f[2]!) }
    : { same: false, a: image(f[0]!, f[1]!), b: image(f[2]!, f[3]!) };
});
const chosen = [
  ...pairs.filter((p) => p.same).slice(0, perClass),
  ...pairs.filter((p) => !p.same).slice(0, perClass),
];

const timing = { detect: 0, embed: 0 };
let missed = 0;
const cache = new Map<string, Float32Array | undefined>();
async function embedding(file: string): Promise<Float32Array | undefined> {
  if (cache.has(file)) return cache.get(file);
  const img = await decodeRgb(path.join(LFW, 'images', file));
  let t0 = performance.now();
  const faces = await mtcnn.detect(img, 40);
  timing.detect += performance.now() - t0;
  // LFW's subject is the face nearest the centre of the 250×250 frame.
  const distance = (f: DetectedFace) =>
    Math.hypot((f.box[0] + f.box[2] - img.width) / 2, (f.box[1] + f.box[3] - img.height) / 2);
  const face = faces.sort((a, b) => distance(a) - distance(b))[0];
  let result: Float32Array | undefined;
  if (face) {
    const chip = alignFace(img, face.landmarks).map((v) => (v - 127.5) / 128);
    t0 = performance.now();
    const out = await embedder.run({ input: new Tensor('float32', chip, [1, 112, 112, 3]) });
    timing.embed += performance.now() - t0;
    result = out.embedding!.data as Float32Array;
  } else {
    missed++;
  }
  cache.set(file, result);
  return result;
}

const cosineDistance = (a: Float32Array, b: Float32Array) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return 1 - dot / Math.sqrt(na * nb);
};

const started = performance.now();
const scored: { same: boolean; distance: number }[] = [];
for (const p of chosen) {
  const [a, b] = [await embedding(p.a), await embedding(p.b)];
  // A missed face counts as an error whatever the threshold.
  scored.push({ same: p.same, distance: a && b ? cosineDistance(a, b) : p.same ? Infinity : -Infinity });
}
let best = { accuracy: 0, threshold: 0 };
for (const { distance: threshold } of scored.filter((s) => Number.isFinite(s.distance))) {
  const correct = scored.filter((s) => s.distance <= threshold === s.same).length;
  if (correct / scored.length > best.accuracy) best = { accuracy: correct / scored.length, threshold };
}
console.log(
  `LFW DevTest, first ${perClass} same + ${perClass} different pairs (${cache.size} images, ${missed} without a face): ` +
    `${(best.accuracy * 100).toFixed(1)} % at cosine distance ${best.threshold.toFixed(3)}`,
);
console.log(
  `  ${((performance.now() - started) / 1000).toFixed(1)} s; per image: MTCNN ${(timing.detect / cache.size).toFixed(1)} ms, ` +
    `MobileFaceNet ${(timing.embed / (cache.size - missed)).toFixed(1)} ms (1 thread)`,
);
