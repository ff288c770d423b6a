import type { Box, Point } from '../../../face/face.types.js';

/**
 * Where a face crop sits inside the landmark net's square input. As in face-api
 * (`toBatchTensor(112, isCenterInputs = true)`), the crop keeps its aspect ratio, its longer side
 * fills the square, and the shorter side is centred between black bars.
 */
export interface SquareFit {
  size: number;
  /** Size of the resized crop inside the square. */
  width: number;
  height: number;
  offsetX: number;
  offsetY: number;
}

/**
 * The pixel crop the landmark net sees for a detection box: clipped to the image and floored to
 * whole pixels, like face-api's `Box.clipAtImageBorders`. Null when nothing of the box is left.
 */
export function landmarkCrop(box: Box, imageWidth: number, imageHeight: number): Box | null {
  const x = Math.max(0, Math.floor(box.x));
  const y = Math.max(0, Math.floor(box.y));
  const right = Math.min(imageWidth, Math.floor(box.x + box.width));
  const bottom = Math.min(imageHeight, Math.floor(box.y + box.height));
  if (right - x < 1 || bottom - y < 1) return null;
  return { x, y, width: right - x, height: bottom - y };
}

export function fitInSquare(width: number, height: number, size: number): SquareFit {
  const scale = size / Math.max(width, height);
  const w = Math.min(size, Math.max(1, Math.round(width * scale)));
  const h = Math.min(size, Math.max(1, Math.round(height * scale)));
  return {
    size,
    width: w,
    height: h,
    offsetX: Math.floor((size - w) / 2),
    offsetY: Math.floor((size - h) / 2),
  };
}

/**
 * Maps one face's landmark output — 68 interleaved (x, y) pairs in 0..1 of the square input —
 * back to source-image pixels: undo the centring bars, the resize, then the crop offset.
 */
export function mapLandmarks(output: ArrayLike<number>, offset: number, crop: Box, fit: SquareFit): Point[] {
  const sx = crop.width / fit.width;
  const sy = crop.height / fit.height;
  const points: Point[] = [];
  for (let i = 0; i < 68; i++) {
    const u = (output[offset + 2 * i] ?? 0) * fit.size;
    const v = (output[offset + 2 * i + 1] ?? 0) * fit.size;
    points.push({ x: crop.x + (u - fit.offsetX) * sx, y: crop.y + (v - fit.offsetY) * sy });
  }
  return points;
}

function centroid(points: Point[], from: number, to: number): Point {
  let x = 0;
  let y = 0;
  for (let i = from; i <= to; i++) {
    x += points[i]?.x ?? 0;
    y += points[i]?.y ?? 0;
  }
  const n = to - from + 1;
  return { x: x / n, y: y / n };
}

function pointAt(points: Point[], index: number): Point {
  const p = points[index];
  if (!p) throw new RangeError(`Landmark ${index} is missing; expected 68 points, got ${points.length}`);
  return { x: p.x, y: p.y };
}

/**
 * Reduces the 68 iBUG points to the common 5-point layout, in image order: the image-left eye
 * centre (points 36–41, the subject's right eye), the image-right eye centre (42–47), the nose
 * tip (30), the image-left mouth corner (48) and the image-right mouth corner (54).
 */
export function reduceTo5(points68: Point[]): Point[] {
  if (points68.length !== 68) throw new RangeError(`Expected 68 landmarks, got ${points68.length}`);
  return [
    centroid(points68, 36, 41),
    centroid(points68, 42, 47),
    pointAt(points68, 30),
    pointAt(points68, 48),
    pointAt(points68, 54),
  ];
}
