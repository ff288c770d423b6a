import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticLandmarks } from '../../test/fixtures/synthetic-landmarks.js';
import type { AppConfig } from '../config/app-config.js';
import { ImageIntakeService } from '../detection/image-intake.service.js';
import { reduceTo5 } from '../detection/landmark-geometry.js';
import { NoFaceDetectedError } from '../face/face.errors.js';
import { type DetectOptions, FaceDetector, FaceEmbedder } from '../face/face.ports.js';
import type { DetectedFace, FaceChip, RgbImage } from '../face/face.types.js';
import { FaceAnalysisService, largestFace } from './face-analysis.service.js';

function face(x: number, scale: number): DetectedFace {
  const landmarks68 = syntheticLandmarks({ scale, angleDeg: 0, tx: x, ty: 40 });
  return {
    box: { x, y: 40, width: scale, height: scale * 1.1 },
    score: 0.9,
    landmarks68,
    landmarks5: reduceTo5(landmarks68),
  };
}

class FakeDetector extends FaceDetector {
  readonly modelId = 'fake-detector';
  constructor(private readonly faces: DetectedFace[]) {
    super();
  }
  async detect(_image: RgbImage, options?: DetectOptions): Promise<DetectedFace[]> {
    return this.faces.slice(0, options?.maxFaces ?? this.faces.length);
  }
}

class FakeEmbedder extends FaceEmbedder {
  readonly modelId = 'fake-embedder@1';
  readonly dimension = 4;
  readonly chipSize = 150;
  readonly calibratedThreshold = undefined;
  readonly calls: FaceChip[][] = [];
  async embed(chips: FaceChip[]): Promise<Float32Array[]> {
    this.calls.push(chips);
    return chips.map((_, i) => Float32Array.from([i, 0, 0, 1]));
  }
}

describe('FaceAnalysisService', () => {
  let png: Buffer;
  const intake = new ImageIntakeService({
    images: { maxBytes: 1_000_000, maxPixels: 1_000_000 },
  } as AppConfig);

  beforeAll(async () => {
    png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#806040' } })
      .png()
      .toBuffer();
  });

  it('aligns every face, attaches quality and embeds all chips in one batch', async () => {
    const embedder = new FakeEmbedder();
    const service = new FaceAnalysisService(
      intake,
      new FakeDetector([face(150, 120), face(20, 80)]),
      embedder,
    );
    const result = await service.analyze(png);
    expect(result.image).toMatchObject({ width: 400, height: 300, format: 'png' });
    expect(result.image.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(embedder.calls).toHaveLength(1);
    expect(embedder.calls[0]!.map((c) => [c.width, c.height])).toEqual([
      [150, 150],
      [150, 150],
    ]);
    expect(result.faces.map((f) => f.embedding[0])).toEqual([0, 1]);
    expect(result.faces[0]!.quality).toMatchObject({
      detectionScore: 0.9,
      faceSize: 120,
      brightness: expect.any(Number),
    });
    expect(service.modelId).toBe('fake-embedder@1');
  });

  it('does not call the embedder from detect() or when there is no face', async () => {
    const embedder = new FakeEmbedder();
    const withFaces = new FaceAnalysisService(intake, new FakeDetector([face(150, 120)]), embedder);
    const detected = await withFaces.detect(png);
    expect(detected.faces).toHaveLength(1);
    expect(detected.faces[0]).not.toHaveProperty('embedding');
    const empty = new FaceAnalysisService(intake, new FakeDetector([]), embedder);
    expect((await empty.analyze(png)).faces).toEqual([]);
    expect(embedder.calls).toHaveLength(0);
  });

  it('passes detection options through', async () => {
    const service = new FaceAnalysisService(
      intake,
      new FakeDetector([face(150, 120), face(20, 80)]),
      new FakeEmbedder(),
    );
    expect((await service.analyze(png, { maxFaces: 1 })).faces).toHaveLength(1);
  });
});

describe('largestFace', () => {
  it('picks the largest box and raises the 601 error when there is none', () => {
    expect(largestFace([face(20, 80), face(150, 120)]).box.width).toBe(120);
    expect(() => largestFace([])).toThrow(NoFaceDetectedError);
  });
});
