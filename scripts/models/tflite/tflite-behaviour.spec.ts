import { createRequire } from 'node:module';
import path from 'node:path';

import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';

import { alignFace, decodeRgb, type Point, type RgbImage } from './check-image.js';
import { convertTfliteModel } from './convert-tflite.js';
import { MtcnnCheck, type DetectedFace } from './mtcnn-check.js';
import { TFLITE_PACKAGE, mobileFaceNet, mtcnnOnet, mtcnnPnet, mtcnnRnet } from './specs.js';

/**
 * The conversion checked by behaviour on real faces (face-api's demo photos): the MTCNN graphs
 * must find faces and put the landmarks where faces have them — which fails if the width/height
 * transposition or the normalisation is wrong — and MobileFaceNet must tell faces apart.
 */
const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve(`${TFLITE_PACKAGE}/package.json`));
const demo = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
const SIDE = 960;

describe('converted MTCNN and MobileFaceNet on demo photos', () => {
  let mtcnn: MtcnnCheck;
  let pnet: InferenceSession;
  let embedder: InferenceSession;
  const images = new Map<number, RgbImage>();
  const faces = new Map<number, DetectedFace[]>();

  beforeAll(async () => {
    const onnx = async (spec: typeof mtcnnPnet) => (await convertTfliteModel(spec, packageDir)).onnx;
    const [p, r, o, m] = await Promise.all([mtcnnPnet, mtcnnRnet, mtcnnOnet, mobileFaceNet].map(onnx));
    mtcnn = await MtcnnCheck.create({ pnet: p!, rnet: r!, onet: o! });
    pnet = await InferenceSession.create(p!);
    embedder = await InferenceSession.create(m!, { intraOpNumThreads: 1 });
    for (const n of [1, 3, 5]) {
      const img = await decodeRgb(path.join(demo, `sample${n}.jpg`), SIDE);
      images.set(n, img);
      faces.set(n, await mtcnn.detect(img, 40));
    }
  });

  it('P-Net takes any image size and returns upright maps', async () => {
    const [h, w] = [37, 64];
    const out = await pnet.run({
      input: new Tensor('float32', new Float32Array(h * w * 3).fill(90), [1, h, w, 3]),
    });
    const cells = (n: number) => Math.ceil((n - 2) / 2) - 4;
    expect(out.prob!.dims).toEqual([1, cells(h), cells(w), 2]);
    expect(out.reg!.dims).toEqual([1, cells(h), cells(w), 4]);
  });

  it('finds the faces of the demo photos, with the five landmarks where faces have them', () => {
    expect(faces.get(1)).toHaveLength(3);
    expect(faces.get(3)).toHaveLength(3);
    expect(faces.get(5)).toHaveLength(5);
    const all = [...faces.values()].flat();
    for (const { box, landmarks, score } of all) {
      const [x1, y1, x2, y2] = box;
      const margin = 0.05 * (x2 - x1);
      const [leftEye, rightEye, nose, mouthLeft, mouthRight] = landmarks as [
        Point,
        Point,
        Point,
        Point,
        Point,
      ];
      expect(score).toBeGreaterThan(0.9);
      for (const [x, y] of landmarks) {
        expect(x).toBeGreaterThan(x1 - margin);
        expect(x).toBeLessThan(x2 + margin);
        expect(y).toBeGreaterThan(y1 - margin);
        expect(y).toBeLessThan(y2 + margin);
      }
      // Image-left before image-right, in the face's own frame (some heads are tilted).
      const along = ([x, y]: Point) =>
        (x - leftEye[0]) * (rightEye[0] - leftEye[0]) + (y - leftEye[1]) * (rightEye[1] - leftEye[1]);
      const down = ([x, y]: Point) =>
        (x - leftEye[0]) * -(rightEye[1] - leftEye[1]) + (y - leftEye[1]) * (rightEye[0] - leftEye[0]);
      expect(along(rightEye)).toBeGreaterThan(0);
      expect(along(mouthRight)).toBeGreaterThan(along(mouthLeft));
      expect(down(nose)).toBeGreaterThan(0);
      expect(down(mouthLeft)).toBeGreaterThan(down(nose));
      expect(down(mouthRight)).toBeGreaterThan(down(nose));
      // For upright faces, plainly: nose between the eyes, mouth below the eyes.
      if (Math.abs(rightEye[1] - leftEye[1]) < 0.3 * (rightEye[0] - leftEye[0])) {
        expect(nose[0]).toBeGreaterThan(leftEye[0]);
        expect(nose[0]).toBeLessThan(rightEye[0]);
        expect(Math.min(mouthLeft[1], mouthRight[1])).toBeGreaterThan(Math.max(leftEye[1], rightEye[1]));
      }
    }
  });

  async function embed(chips: Float32Array[]): Promise<Float32Array[]> {
    const input = new Float32Array(chips.length * 112 * 112 * 3);
    chips.forEach((chip, i) =>
      input.set(
        chip.map((v) => (v - 127.5) / 128),
        i * 112 * 112 * 3,
      ),
    );
    const out = await embedder.run({ input: new Tensor('float32', input, [chips.length, 112, 112, 3]) });
    const data = out.embedding!.data as Float32Array;
    expect(out.embedding!.dims).toEqual([chips.length, 192]);
    return chips.map((_, i) => data.slice(i * 192, (i + 1) * 192));
  }

  const cosine = (a: Float32Array, b: Float32Array) => {
    let [dot, na, nb] = [0, 0, 0];
    a.forEach((v, i) => {
      dot += v * b[i]!;
      na += v * v;
      nb += b[i]! * b[i]!;
    });
    return dot / Math.sqrt(na * nb);
  };

  it('MobileFaceNet: the same face, shifted a little, is closer than the other faces of its photo', async () => {
    // Faces within one photo are different people; across photos they need not be (the demo
    // photos share a sitter: sample1's right face and sample3's middle one score about 0.76).
    for (const [n, found] of faces) {
      const img = images.get(n)!;
      const chips = found.map((face) => alignFace(img, face.landmarks));
      // The same face warped with its landmarks moved 2 px right, 1.5 px down and scaled by 4 %.
      const moved = found.map((face) => {
        const [cx, cy] = face.landmarks.reduce(([sx, sy], [x, y]) => [sx + x / 5, sy + y / 5], [0, 0]);
        return alignFace(
          img,
          face.landmarks.map(([x, y]): Point => [cx + (x - cx) * 1.04 + 2, cy + (y - cy) * 1.04 + 1.5]),
        );
      });
      const [original, shifted] = [await embed(chips), await embed(moved)];
      for (let i = 0; i < found.length; i++) {
        const same = cosine(original[i]!, shifted[i]!);
        const others = original.filter((_, j) => j !== i).map((e) => cosine(original[i]!, e));
        expect(same, `sample${n} face ${i}`).toBeGreaterThan(0.9);
        expect(same, `sample${n} face ${i}`).toBeGreaterThan(Math.max(...others) + 0.3);
      }
    }
  });

  it('MobileFaceNet: the batch is dynamic and rows do not depend on their neighbours', async () => {
    const [a, b, c] = [...faces.get(1)!].map((f) => alignFace(images.get(1)!, f.landmarks));
    const [alone] = await embed([b!]);
    const [, inBatch] = await embed([a!, b!, c!]);
    const norm = Math.hypot(...alone!);
    const maxDiff = alone!.reduce((m, v, i) => Math.max(m, Math.abs(v - inBatch![i]!)), 0);
    expect(maxDiff / norm).toBeLessThan(1e-5);
  });
});
