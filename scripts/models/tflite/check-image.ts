import sharp from 'sharp';

/**
 * Image helpers for the behaviour checks (tests, lfw-smoke): decode, crop-and-resize, five-point
 * alignment. Coordinates are continuous: pixel (col, row) covers [col, col + 1) × [row, row + 1),
 * so its centre is (col + 0.5, row + 0.5).
 */
export interface RgbImage {
  /** Interleaved RGB, row-major. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** A box [x1, y1, x2, y2] in continuous image coordinates. */
export type Box = [number, number, number, number];
export type Point = [number, number];

/** Decodes an image file to RGB, shrunk (keeping its aspect) when wider or taller than `maxSide`. */
export async function decodeRgb(file: string, maxSide?: number): Promise<RgbImage> {
  let pipeline = sharp(file).removeAlpha();
  if (maxSide) pipeline = pipeline.resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/** The whole image resized to width×height as RGB floats 0..255 (sharp's filter: fast on large images). */
export async function resizeImage(img: RgbImage, width: number, height: number): Promise<Float32Array> {
  const resized = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return Float32Array.from(resized);
}

/** Adds weight × the bilinear RGB sample at continuous (x, y) to `acc`; black outside the image. */
function addSample(img: RgbImage, x: number, y: number, weight: number, acc: Float64Array): void {
  const fx = x - 0.5;
  const fy = y - 0.5;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const ax = fx - x0;
  const ay = fy - y0;
  const corners = [
    [x0, y0, (1 - ax) * (1 - ay)],
    [x0 + 1, y0, ax * (1 - ay)],
    [x0, y0 + 1, (1 - ax) * ay],
    [x0 + 1, y0 + 1, ax * ay],
  ] as const;
  for (const [col, row, w] of corners) {
    if (col < 0 || row < 0 || col >= img.width || row >= img.height || w === 0) continue;
    const at = (row * img.width + col) * 3;
    acc[0]! += weight * w * img.data[at]!;
    acc[1]! += weight * w * img.data[at + 1]!;
    acc[2]! += weight * w * img.data[at + 2]!;
  }
}

/**
 * The box resampled to width×height RGB floats 0..255 (NHWC), averaging a grid of bilinear
 * samples per output pixel so that shrinking does not alias (like cv2's INTER_AREA that facenet
 * uses); black where the box leaves the image, as facenet pads.
 */
export function resampleBox(
  img: RgbImage,
  [x1, y1, x2, y2]: Box,
  width: number,
  height = width,
): Float32Array {
  const sx = (x2 - x1) / width;
  const sy = (y2 - y1) / height;
  const nx = Math.max(1, Math.ceil(sx));
  const ny = Math.max(1, Math.ceil(sy));
  const weight = 1 / (nx * ny);
  const out = new Float32Array(width * height * 3);
  const acc = new Float64Array(3);
  for (let row = 0; row < height; row++)
    for (let col = 0; col < width; col++) {
      acc.fill(0);
      for (let a = 0; a < ny; a++)
        for (let b = 0; b < nx; b++) {
          addSample(img, x1 + (col + (b + 0.5) / nx) * sx, y1 + (row + (a + 0.5) / ny) * sy, weight, acc);
        }
      out.set(acc, (row * width + col) * 3);
    }
  return out;
}

/** InsightFace's ArcFace 112×112 template (left eye, right eye, nose, mouth left, mouth right), in cv2 pixel-index coordinates. */
export const ARCFACE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * Warps the face onto a size×size chip with the least-squares similarity transform (rotation,
 * uniform scale, translation) that takes `points` onto the template. Returns floats 0..255 NHWC.
 */
export function alignFace(
  img: RgbImage,
  points: readonly Point[],
  template = ARCFACE_112,
  size = 112,
): Float32Array {
  // The template is in pixel-index coordinates (cv2): centres at integers; ours at +0.5.
  const dst = template.map(([x, y]) => [x + 0.5, y + 0.5] as Point);
  const mean = (ps: readonly Point[]) =>
    ps.reduce(([sx, sy], [x, y]) => [sx + x / ps.length, sy + y / ps.length], [0, 0]);
  const [msx, msy] = mean(points);
  const [mdx, mdy] = mean(dst);
  let dotSum = 0;
  let crossSum = 0;
  let norm = 0;
  points.forEach(([x, y], i) => {
    const [u, v] = dst[i]!;
    const [px, py, qx, qy] = [x - msx, y - msy, u - mdx, v - mdy];
    dotSum += px * qx + py * qy;
    crossSum += px * qy - py * qx;
    norm += px * px + py * py;
  });
  // dst ≈ [a −b; b a]·src + t; sample the source through the inverse.
  const a = dotSum / norm;
  const b = crossSum / norm;
  const det = a * a + b * b;
  const out = new Float32Array(size * size * 3);
  for (let row = 0; row < size; row++)
    for (let col = 0; col < size; col++) {
      const u = col + 0.5 - mdx;
      const v = row + 0.5 - mdy;
      const x = (a * u + b * v) / det + msx;
      const y = (-b * u + a * v) / det + msy;
      const acc = new Float64Array(3);
      addSample(img, x, y, 1, acc);
      out.set(acc, (row * size + col) * 3);
    }
  return out;
}
