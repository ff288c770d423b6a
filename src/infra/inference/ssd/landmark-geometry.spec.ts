import { describe, expect, it } from 'vitest';
import type { Point } from '../../../face/face.types.js';
import { fitInSquare, landmarkCrop, mapLandmarks, reduceTo5 } from './landmark-geometry.js';

describe('landmarkCrop', () => {
  it('clips to the image and floors to whole pixels', () => {
    expect(landmarkCrop({ x: -5.5, y: 10.7, width: 50.9, height: 400 }, 200, 300)).toEqual({
      x: 0,
      y: 10,
      width: 45,
      height: 290,
    });
  });

  it('is null when no pixel of the box is inside the image', () => {
    expect(landmarkCrop({ x: 250, y: 0, width: 10, height: 10 }, 200, 300)).toBeNull();
  });
});

describe('fitInSquare and mapLandmarks', () => {
  it('centres a tall crop between bars and maps its points back', () => {
    const crop = { x: 100, y: 50, width: 60, height: 120 };
    const fit = fitInSquare(crop.width, crop.height, 112);
    expect(fit).toEqual({ size: 112, width: 56, height: 112, offsetX: 28, offsetY: 0 });

    // Put the 68 points at known crop positions, encode them as the model would, decode.
    const expected: Point[] = Array.from({ length: 68 }, (_, i) => ({ x: crop.x + (i % 60), y: crop.y + i }));
    const output = new Float32Array(136 * 2); // a second face first, to exercise the offset
    expected.forEach((p, i) => {
      output[136 + 2 * i] = ((p.x - crop.x) * (fit.width / crop.width) + fit.offsetX) / 112;
      output[136 + 2 * i + 1] = ((p.y - crop.y) * (fit.height / crop.height) + fit.offsetY) / 112;
    });
    const mapped = mapLandmarks(output, 136, crop, fit);
    mapped.forEach((p, i) => {
      expect(p.x).toBeCloseTo(expected[i]!.x, 4);
      expect(p.y).toBeCloseTo(expected[i]!.y, 4);
    });
  });
});

describe('reduceTo5', () => {
  it('averages each eye and picks the nose tip and mouth corners', () => {
    const points: Point[] = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 2 * i }));
    expect(reduceTo5(points)).toEqual([
      { x: 38.5, y: 77 },
      { x: 44.5, y: 89 },
      { x: 30, y: 60 },
      { x: 48, y: 96 },
      { x: 54, y: 108 },
    ]);
  });

  it('refuses anything but 68 points', () => {
    expect(() => reduceTo5([{ x: 0, y: 0 }])).toThrow(RangeError);
  });
});
