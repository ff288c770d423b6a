import type { DetectedFace, FaceQuality, Point, RgbImage } from '../face/face.types.js';

const DEGREES = 180 / Math.PI;

/**
 * Quality measures for one face. Sharpness and brightness are read from the aligned chip rather
 * than the source image so that they are comparable across face sizes and head rotations; only
 * its central two thirds is used — with dlib's 0.25 padding that is the face itself, not the
 * background or the black fill beyond the image border.
 */
export function assessQuality(face: DetectedFace, chip: RgbImage): FaceQuality {
  const grey = toGrey(chip);
  const inset = Math.round(chip.width / 6);
  const region = { x: inset, y: inset, width: chip.width - 2 * inset, height: chip.height - 2 * inset };
  return {
    detectionScore: face.score,
    faceSize: Math.min(face.box.width, face.box.height),
    sharpness: laplacianVariance(grey, chip.width, region),
    brightness: meanOf(grey, chip.width, region),
    yaw: estimateYaw(face.landmarks68),
    roll: estimateRoll(face.landmarks5),
  };
}

interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Rec. 601 luma, the weighting the usual "brightness" figures use. */
export function toGrey(image: RgbImage): Float32Array {
  const grey = new Float32Array(image.width * image.height);
  const { data } = image;
  for (let i = 0, j = 0; i < grey.length; i++, j += 3) {
    grey[i] = 0.299 * data[j]! + 0.587 * data[j + 1]! + 0.114 * data[j + 2]!;
  }
  return grey;
}

export function meanOf(grey: Float32Array, stride: number, region: Region): number {
  let sum = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) sum += grey[y * stride + x]!;
  }
  return sum / (region.width * region.height);
}

/**
 * Variance of the 4-neighbour Laplacian — the standard blur measure (Pech-Pacheco et al. 2000):
 * a sharp face has strong second derivatives at its edges, a blurred one has few. The region must
 * leave a one-pixel border inside the image.
 */
export function laplacianVariance(grey: Float32Array, stride: number, region: Region): number {
  const x0 = Math.max(1, region.x);
  const y0 = Math.max(1, region.y);
  const height = grey.length / stride;
  const x1 = Math.min(stride - 1, region.x + region.width);
  const y1 = Math.min(height - 1, region.y + region.height);
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * stride + x;
      const lap = grey[i - 1]! + grey[i + 1]! + grey[i - stride]! + grey[i + stride]! - 4 * grey[i]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/**
 * In-plane rotation of the eye line in degrees (from `landmarks5`): 0 when level, positive when
 * the image-right eye is lower (the head tilts clockwise as seen in the image).
 */
export function estimateRoll(landmarks5: Point[]): number {
  const [left, right] = landmarks5;
  if (!left || !right) return 0;
  return Math.atan2(right.y - left.y, right.x - left.x) * DEGREES;
}

/**
 * Rough head yaw in degrees from the 68 points: where the nose tip (30) falls between the two
 * face-outline points at ear level (0 and 16), measured along the eye line so that roll does not
 * leak in. Frontal faces put the nose half-way (0°); treating the head as a cylinder, the offset
 * from half-way is the sine of the yaw. Negative when the face turns towards the image's left.
 */
export function estimateYaw(landmarks68: Point[]): number {
  const jawLeft = landmarks68[0];
  const jawRight = landmarks68[16];
  const nose = landmarks68[30];
  if (!jawLeft || !jawRight || !nose) return 0;
  const eyeL = average(landmarks68.slice(36, 42));
  const eyeR = average(landmarks68.slice(42, 48));
  let ux = eyeR.x - eyeL.x;
  let uy = eyeR.y - eyeL.y;
  const len = Math.hypot(ux, uy);
  if (len === 0) return 0;
  ux /= len;
  uy /= len;
  const along = (p: Point) => p.x * ux + p.y * uy;
  const span = along(jawRight) - along(jawLeft);
  if (span <= 0) return 0;
  const ratio = (along(nose) - along(jawLeft)) / span;
  return Math.asin(Math.max(-1, Math.min(1, 2 * ratio - 1))) * DEGREES;
}

function average(points: Point[]): Point {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p.x;
    y += p.y;
  }
  return { x: x / Math.max(1, points.length), y: y / Math.max(1, points.length) };
}
