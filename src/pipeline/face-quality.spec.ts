import { describe, expect, it } from 'vitest';
import { syntheticLandmarks } from '../../test/fixtures/synthetic-landmarks.js';
import type { DetectedFace, RgbImage } from '../face/face.types.js';
import { assessQuality, estimateRoll, estimateYaw, laplacianVariance, toGrey } from './face-quality.js';
import { reduceTo5 } from '../infra/inference/ssd/landmark-geometry.js';

function face(angleDeg = 0): DetectedFace {
  const landmarks = syntheticLandmarks({ scale: 200, angleDeg, tx: 400, ty: 300 });
  return {
    box: { x: 390, y: 280, width: 220, height: 240 },
    score: 0.93,
    landmarks,
    landmarks5: reduceTo5(landmarks),
  };
}

function image(size: number, pixel: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) data.fill(pixel(x, y), (y * size + x) * 3, (y * size + x) * 3 + 3);
  }
  return { data, width: size, height: size };
}

describe('estimateRoll', () => {
  it('reads the eye-line angle, positive when the image-right eye is lower', () => {
    expect(estimateRoll(face(0).landmarks5)).toBeCloseTo(0, 6);
    expect(estimateRoll(face(20).landmarks5)).toBeCloseTo(20, 6);
    expect(estimateRoll(face(-35).landmarks5)).toBeCloseTo(-35, 6);
  });
});

describe('estimateYaw', () => {
  it('is about zero for a symmetric frontal face, whatever its roll', () => {
    expect(Math.abs(estimateYaw(face(0).landmarks5))).toBeLessThan(2);
    expect(Math.abs(estimateYaw(face(30).landmarks5))).toBeLessThan(2);
  });

  it('is negative when the nose moves towards the image left, positive towards the right', () => {
    const shifted = (dx: number) => face(0).landmarks5.map((p, i) => (i === 2 ? { x: p.x + dx, y: p.y } : p));
    expect(estimateYaw(shifted(-40))).toBeLessThan(-15);
    expect(estimateYaw(shifted(40))).toBeGreaterThan(15);
    // Further off centre, further turned; never past a right angle.
    expect(estimateYaw(shifted(60))).toBeGreaterThan(estimateYaw(shifted(40)));
    expect(estimateYaw(shifted(500))).toBeLessThan(90);
  });
});

describe('sharpness and brightness', () => {
  const checker = image(150, (x, y) => (((x >> 2) + (y >> 2)) % 2 ? 200 : 50));
  const blurred = image(150, (x, y) => 125 + 75 * Math.sin(x / 12) * Math.sin(y / 12));

  it('scores a crisp pattern far sharper than a smooth one', () => {
    const region = { x: 25, y: 25, width: 100, height: 100 };
    const crisp = laplacianVariance(toGrey(checker), 150, region);
    const soft = laplacianVariance(toGrey(blurred), 150, region);
    expect(crisp).toBeGreaterThan(100 * soft);
    expect(laplacianVariance(toGrey(image(150, () => 90)), 150, region)).toBe(0);
  });

  it('reports mean luma and passes the detection score and face size through', () => {
    const quality = assessQuality(
      face(),
      image(150, () => 128),
    );
    expect(quality.brightness).toBeCloseTo(128, 3);
    expect(quality.detectionScore).toBe(0.93);
    expect(quality.faceSize).toBe(220);
    expect(quality.sharpness).toBe(0);
  });
});
