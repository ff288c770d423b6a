import 'reflect-metadata';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticLandmarks } from '../../test/fixtures/synthetic-landmarks.js';
import { loadConfig } from '../config/app-config.js';
import { NoFaceDetectedError } from '../face/face.errors.js';
import { type DetectOptions, FaceDetector, FaceEmbedder, type ProfileModels } from '../face/face.ports.js';
import type { DetectedFace, RgbImage } from '../face/face.types.js';
import type { ModelProfile } from '../face/model-profile.js';
import { reduceTo5 } from '../infra/inference/ssd/landmark-geometry.js';
import { byProminence, FaceAnalysisService, largestFace, mainFace } from './face-analysis.service.js';
import { ImageIntakeService } from './image-intake.service.js';

function face(x: number, scale: number): DetectedFace {
  const landmarks = syntheticLandmarks({ scale, angleDeg: 0, tx: x, ty: 40 });
  return {
    box: { x, y: 40, width: scale, height: scale * 1.1 },
    score: 0.9,
    landmarks,
    landmarks5: reduceTo5(landmarks),
  };
}

class FakeDetector extends FaceDetector {
  readonly modelId = 'fake-detector';
  readonly calls: number[] = [];
  constructor(private readonly faces: DetectedFace[]) {
    super();
  }
  async detect(image: RgbImage, options?: DetectOptions): Promise<DetectedFace[]> {
    this.calls.push(image.width);
    return this.faces.slice(0, options?.maxFaces ?? this.faces.length);
  }
}

class FakeEmbedder extends FaceEmbedder {
  readonly space = { key: 'fake-embedder@1', dimension: 4 };
  readonly calls: DetectedFace[][] = [];
  async embed(_image: RgbImage, faces: DetectedFace[]): Promise<Float32Array[]> {
    this.calls.push(faces);
    return faces.map((_, i) => Float32Array.from([i, 0, 0, 1]));
  }
}

function models(detector: FakeDetector, embedder = new FakeEmbedder()): ProfileModels {
  return { profile: {} as ModelProfile, detector, embedder };
}

describe('FaceAnalysisService', () => {
  let png: Buffer;
  const config = loadConfig({ MAX_IMAGE_BYTES: '1000000', MAX_IMAGE_PIXELS: '1000000' });
  const service = new FaceAnalysisService(new ImageIntakeService(config), config);

  beforeAll(async () => {
    png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#806040' } })
      .png()
      .toBuffer();
  });

  it('hands every face to the embedder in one call and attaches quality', async () => {
    const embedder = new FakeEmbedder();
    const result = await service.analyze(
      png,
      models(new FakeDetector([face(150, 120), face(20, 80)]), embedder),
    );
    expect(result.image).toMatchObject({ width: 400, height: 300, format: 'png' });
    expect(result.image.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(embedder.calls).toHaveLength(1);
    expect(embedder.calls[0]).toHaveLength(2);
    expect(result.faces.map((f) => f.embedding[0])).toEqual([0, 1]);
    expect(result.faces[0]!.quality).toMatchObject({
      detectionScore: 0.9,
      faceSize: 120,
      brightness: expect.closeTo(0.299 * 0x80 + 0.587 * 0x60 + 0.114 * 0x40, 0),
      sharpness: 0,
    });
    expect(result.faces.every((f) => f.crop === null)).toBe(true);
  });

  it('cuts a JPEG crop of each face with context around it when asked', async () => {
    const result = await service.analyze(png, models(new FakeDetector([face(150, 120)])), { crops: true });
    const crop = result.faces[0]!.crop!;
    // Twice the box's longer side (132 px) about its centre, clipped at the top of the image
    // (264×238), then shrunk to FACE_CROP_SIZE (224) on the longer side.
    expect([crop.width, crop.height]).toEqual([224, 202]);
    expect((await sharp(crop.jpeg).metadata()).format).toBe('jpeg');
  });

  it('does not call the embedder from detect() or when there is no face', async () => {
    const embedder = new FakeEmbedder();
    const detected = await service.detect(png, models(new FakeDetector([face(150, 120)]), embedder));
    expect(detected.faces).toHaveLength(1);
    expect(detected.faces[0]).not.toHaveProperty('embedding');
    expect((await service.analyze(png, models(new FakeDetector([]), embedder))).faces).toEqual([]);
    expect(embedder.calls.flat()).toHaveLength(0);
  });

  it('orders the faces main face first, whatever order the detector gave', async () => {
    // On the 400×300 image: a 100 px face near the centre and a 120 px one at the left edge.
    const detector = new FakeDetector([face(0, 120), face(150, 100)]);
    const result = await service.analyze(png, models(detector));
    expect(result.faces.map((f) => f.box.x)).toEqual([150, 0]);
    expect((await service.detect(png, models(detector))).faces.map((f) => f.box.x)).toEqual([150, 0]);
  });

  it('passes detection options through', async () => {
    const both = models(new FakeDetector([face(150, 120), face(20, 80)]));
    expect((await service.analyze(png, both, { maxFaces: 1 })).faces).toHaveLength(1);
  });

  it("embeds the face another profile's detector finds at a box, and nothing when it finds none there", async () => {
    const image = await service.decode(png);
    const other = models(new FakeDetector([face(20, 80), face(150, 120)]));
    const vector = await service.embedAt(image, { x: 152, y: 38, width: 118, height: 130 }, other);
    expect(vector?.[0]).toBe(0); // the embedder got the one face that overlaps
    expect((other.embedder as FakeEmbedder).calls[0]![0]!.box.x).toBe(150);
    expect(await service.embedAt(image, { x: 300, y: 200, width: 50, height: 50 }, other)).toBeNull();
  });
});

describe('mainFace', () => {
  const image = { width: 400, height: 300 };

  it('prefers a face near the centre to a slightly larger one at the edge', () => {
    expect(mainFace([face(0, 120), face(150, 100)], image).box.x).toBe(150);
    expect(largestFace([face(0, 120), face(150, 100)]).box.x).toBe(0);
  });

  it('still takes a much larger face over a small central one', () => {
    // A close-up off centre against a bystander far behind, in the middle.
    expect(mainFace([face(180, 20), face(20, 200)], image).box.width).toBe(200);
  });

  it('raises the 601 error when there is no face, and sorts without changing its input', () => {
    expect(() => mainFace([], image)).toThrow(NoFaceDetectedError);
    const faces = [face(0, 120), face(150, 100)];
    expect(byProminence(faces, image).map((f) => f.box.x)).toEqual([150, 0]);
    expect(faces.map((f) => f.box.x)).toEqual([0, 150]);
  });
});

describe('largestFace', () => {
  it('picks the largest box and raises the 601 error when there is none', () => {
    expect(largestFace([face(20, 80), face(150, 120)]).box.width).toBe(120);
    expect(() => largestFace([])).toThrow(NoFaceDetectedError);
  });
});
