import { describe, expect, it } from 'vitest';
import { syntheticLandmarks } from '../../../../test/fixtures/synthetic-landmarks.js';
import type { RgbImage } from '../../../face/face.types.js';
import { affineScale, warpAffine } from './alignment.js';
import { dlibChipTransform } from './dlib-chip.js';
import { alignFace } from './face-aligner.js';

/** A smooth RGB pattern, so that shrinking it first changes little. */
function smoothImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = 128 + 100 * Math.sin(x / 60);
      data[i + 1] = 128 + 100 * Math.cos(y / 45);
      data[i + 2] = ((x + y) / (width + height)) * 255;
    }
  }
  return { data, width, height };
}

describe('alignFace', () => {
  it('warps small faces directly', async () => {
    const image = smoothImage(400, 300);
    const landmarks = syntheticLandmarks({ scale: 120, angleDeg: 10, tx: 140, ty: 80 });
    const { chip, chipToImage } = await alignFace(image, dlibChipTransform(landmarks, 150, 0.25), 150);
    expect(affineScale(chipToImage)).toBeLessThan(2);
    expect(chip.data).toEqual(warpAffine(image, chipToImage, 150).data);
  });

  it('shrinks large faces first and still lands on the same pixels', async () => {
    const image = smoothImage(2000, 1600);
    const landmarks = syntheticLandmarks({ scale: 900, angleDeg: -12, tx: 500, ty: 400 });
    const { chip, chipToImage } = await alignFace(image, dlibChipTransform(landmarks, 150, 0.25), 150);
    expect(affineScale(chipToImage)).toBeGreaterThan(5);
    const direct = warpAffine(image, chipToImage, 150);
    expect(chip.width).toBe(150);
    let diff = 0;
    for (let i = 0; i < chip.data.length; i++) diff += Math.abs(chip.data[i]! - direct.data[i]!);
    expect(diff / chip.data.length).toBeLessThan(2);
  });
});
