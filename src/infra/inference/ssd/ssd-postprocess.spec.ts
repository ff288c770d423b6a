import { describe, expect, it } from 'vitest';
import { iou } from '../../../face/box.js';
import { clampBox, decodeSsdOutput, letterbox, nonMaxSuppression } from './ssd-postprocess.js';

const box = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });

describe('iou', () => {
  it('is 1 for identical boxes, 0 for disjoint ones and the overlap ratio otherwise', () => {
    expect(iou(box(0, 0, 10, 10), box(0, 0, 10, 10))).toBe(1);
    expect(iou(box(0, 0, 10, 10), box(20, 20, 5, 5))).toBe(0);
    expect(iou(box(0, 0, 10, 10), box(5, 0, 10, 10))).toBeCloseTo(50 / 150);
  });
});

describe('nonMaxSuppression', () => {
  it('keeps the best of each overlapping cluster, highest score first', () => {
    const kept = nonMaxSuppression([
      { box: box(0, 0, 10, 10), score: 0.7 },
      { box: box(1, 1, 10, 10), score: 0.9 },
      { box: box(50, 50, 10, 10), score: 0.8 },
      { box: box(51, 50, 10, 10), score: 0.6 },
    ]);
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.8]);
  });

  it('keeps boxes overlapping by IoU 0.5 or less', () => {
    // Two 10×10 boxes shifted by 10/3 px overlap with IoU exactly 0.5.
    const kept = nonMaxSuppression([
      { box: box(0, 0, 10, 10), score: 0.9 },
      { box: box(10 / 3, 0, 10, 10), score: 0.8 },
      { box: box(2, 0, 10, 10), score: 0.7 },
    ]);
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.8]);
  });

  it('stops at maxResults', () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ box: box(i * 20, 0, 10, 10), score: i / 10 }));
    expect(nonMaxSuppression(many, 0.5, 3)).toHaveLength(3);
  });
});

describe('letterbox and decodeSsdOutput', () => {
  // A 1000×500 image: scaled by 0.512 to 512×256, padded at the bottom to 512×512.
  const geometry = letterbox(1000, 500, 512);

  it('records the rounded resize', () => {
    expect(geometry).toMatchObject({ resizedWidth: 512, resizedHeight: 256 });
  });

  it('maps normalised (ymin, xmin, ymax, xmax) boxes back to source pixels', () => {
    const boxes = new Float32Array([0.1, 0.2, 0.3, 0.4]);
    const [face] = decodeSsdOutput(boxes, new Float32Array([0.9]), geometry, {
      minScore: 0.5,
      minFaceSize: 1,
    });
    expect(face?.score).toBeCloseTo(0.9);
    expect(face?.box.x).toBeCloseTo(200);
    expect(face?.box.y).toBeCloseTo(100);
    expect(face?.box.width).toBeCloseTo(200);
    expect(face?.box.height).toBeCloseTo(200);
  });

  it('filters by score and size, clamps to the image and sorts largest first', () => {
    const boxes = new Float32Array([
      ...[0.1, 0.1, 0.2, 0.2], // 100×100, score 0.8
      ...[0.3, 0.5, 0.6, 0.8], // 300×300, score 0.6
      ...[0.0, 0.0, 0.01, 0.01], // 10×10: below minFaceSize
      ...[0.2, 0.9, 0.45, 1.2], // runs off the right edge: clamped to x ≤ 1000
      ...[0.7, 0.7, 0.8, 0.8], // score below minScore
    ]);
    const scores = new Float32Array([0.8, 0.6, 0.99, 0.7, 0.3]);
    const faces = decodeSsdOutput(boxes, scores, geometry, { minScore: 0.5, minFaceSize: 20 });
    expect(faces.map((f) => f.score)).toEqual([
      expect.closeTo(0.6),
      expect.closeTo(0.7),
      expect.closeTo(0.8),
    ]);
    expect(faces[1]?.box.x).toBeCloseTo(900);
    expect(faces[1]?.box.width).toBeCloseTo(100);
  });

  it('maps boxes back from a zoomed-out, centred placement', () => {
    // 1000×500 at fill 0.5: resized to 256×128, placed at (128, 192) in the 512 square.
    const zoomed = letterbox(1000, 500, 512, 0.5);
    expect(zoomed).toMatchObject({ resizedWidth: 256, resizedHeight: 128, offsetX: 128, offsetY: 192 });
    // The image pixel box (200, 100, 200×200) lands at (179.2, 217.6, 51.2×51.2) in the square.
    const boxes = new Float32Array([217.6 / 512, 179.2 / 512, 268.8 / 512, 230.4 / 512]);
    const [face] = decodeSsdOutput(boxes, new Float32Array([0.9]), zoomed, { minScore: 0.5, minFaceSize: 1 });
    expect(face?.box.x).toBeCloseTo(200, 3);
    expect(face?.box.y).toBeCloseTo(100, 3);
    expect(face?.box.width).toBeCloseTo(200, 3);
    expect(face?.box.height).toBeCloseTo(200, 3);
  });

  it('suppresses duplicate anchors on the same face', () => {
    const boxes = new Float32Array([0.1, 0.1, 0.3, 0.3, 0.11, 0.1, 0.31, 0.3]);
    const faces = decodeSsdOutput(boxes, new Float32Array([0.8, 0.95]), geometry, {
      minScore: 0.5,
      minFaceSize: 1,
    });
    expect(faces).toHaveLength(1);
    expect(faces[0]?.score).toBeCloseTo(0.95);
  });
});

describe('clampBox', () => {
  it('returns an empty box when outside the image', () => {
    expect(clampBox(box(-20, -20, 10, 10), 100, 100)).toEqual(box(0, 0, 0, 0));
  });
});
