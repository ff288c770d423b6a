import { describe, expect, it } from 'vitest';
import { place, syntheticLandmarks } from '../../../../test/fixtures/synthetic-landmarks.js';
import type { RgbImage } from '../../../face/face.types.js';
import { applyAffine, composeAffine, invertAffine, similarityTransform, warpAffine } from './alignment.js';
import { chipTemplate, dlibChipTransform } from './dlib-chip.js';

/** dlib's own chip: what its ResNet was trained on (and what the dlib profile records). */
const faceChipTransform = (landmarks: Parameters<typeof dlibChipTransform>[0]) =>
  dlibChipTransform(landmarks, 150, 0.25);

describe('similarityTransform', () => {
  it('recovers a known rotation, scale and translation exactly', () => {
    const from = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 3, y: 7 },
      { x: -4, y: 2 },
    ];
    const placement = { scale: 2.5, angleDeg: 30, tx: 40, ty: -12 };
    const to = from.map((p) => place(p, placement));
    const t = similarityTransform(from, to);
    from.forEach((p, i) => {
      const q = applyAffine(t, p);
      expect(q.x).toBeCloseTo(to[i]!.x, 9);
      expect(q.y).toBeCloseTo(to[i]!.y, 9);
    });
    expect((Math.atan2(t.d, t.a) * 180) / Math.PI).toBeCloseTo(30, 9);
  });

  it('is the least-squares fit when the points are noisy (residuals sum to zero)', () => {
    const from = [
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 0, y: 1 },
    ];
    const to = [
      { x: 0.1, y: 0 },
      { x: 1, y: -0.05 },
      { x: 0, y: 1.02 },
    ];
    const t = similarityTransform(from, to);
    const rx = from.reduce((s, p, i) => s + applyAffine(t, p).x - to[i]!.x, 0);
    expect(rx).toBeCloseTo(0, 12);
  });
});

describe('dlibChipTransform', () => {
  it('maps the template points back onto landmarks that are an exact similarity of the template', () => {
    const placement = { scale: 180, angleDeg: -17, tx: 300, ty: 120 };
    const landmarks = syntheticLandmarks(placement);
    const chipToImage = faceChipTransform(landmarks);
    const template = chipTemplate(150, 0.25);
    template.points.forEach((q, k) => {
      // dlib spreads the 150 template units over chip pixels 0..149.
      const chipPixel = { x: (q.x * 149) / 150, y: (q.y * 149) / 150 };
      const p = applyAffine(chipToImage, chipPixel);
      const landmark = landmarks[template.indices[k]!]!;
      expect(p.x).toBeCloseTo(landmark.x, 6);
      expect(p.y).toBeCloseTo(landmark.y, 6);
    });
  });

  it('undoes the head roll of a rotated face and scales the face to the template', () => {
    for (const angleDeg of [-40, 0, 25]) {
      const chipToImage = faceChipTransform(syntheticLandmarks({ scale: 300, angleDeg, tx: 500, ty: 200 }));
      expect((Math.atan2(chipToImage.d, chipToImage.a) * 180) / Math.PI).toBeCloseTo(angleDeg, 6);
      // The unit-square face spans 150 / 1.5 template units; 300 px / 100 units = 3 px per unit.
      expect(Math.hypot(chipToImage.a, chipToImage.d)).toBeCloseTo((3 * 150) / 149, 6);
    }
  });

  it('uses 33 template points: nose, eyes and outer mouth, no brows, jaw or lower lip', () => {
    const { indices } = chipTemplate(150, 0.25);
    expect(indices).toHaveLength(33);
    expect(indices).toContain(27);
    expect(indices).not.toContain(26);
    expect(indices).not.toContain(57);
    expect(indices).toContain(62);
    expect(indices).not.toContain(66);
  });
});

describe('affine helpers', () => {
  it('invert and compose are consistent', () => {
    const t = { a: 1.2, b: -0.3, c: 5, d: 0.4, e: 0.9, f: -2 };
    const id = composeAffine(invertAffine(t), t);
    expect(id.a).toBeCloseTo(1);
    expect(id.b).toBeCloseTo(0);
    expect(id.c).toBeCloseTo(0);
    expect(id.e).toBeCloseTo(1);
  });
});

describe('warpAffine', () => {
  const gradient: RgbImage = {
    width: 40,
    height: 30,
    data: Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => {
      const px = Math.floor(i / 3);
      return (i % 3 === 0 ? px % 40 : Math.floor(px / 40)) * 5;
    }),
  };

  it('copies pixels under a translation and interpolates half-way between them', () => {
    const chip = warpAffine(gradient, { a: 1, b: 0, c: 10, d: 0, e: 1, f: 5 }, 8);
    expect(chip.data[0]).toBe(10 * 5); // R holds x·5, sampled at x = 10
    expect(chip.data[1]).toBe(5 * 5); // G holds y·5, sampled at y = 5
    const half = warpAffine(gradient, { a: 1, b: 0, c: 10.5, d: 0, e: 1, f: 5 }, 2);
    expect(half.data[0]).toBe(Math.round(10.5 * 5));
  });

  it('fills samples outside the image with black', () => {
    const chip = warpAffine(gradient, { a: 1, b: 0, c: -100, d: 0, e: 1, f: 0 }, 4);
    expect(Array.from(chip.data).every((v) => v === 0)).toBe(true);
  });
});
