import type { DetectedFace, FaceQuality, Point, RgbImage } from '../face/face.types.js';

const DEGREES = 180 / Math.PI;

/**
 * Quality measures for one face. Sharpness and brightness are read from `patch`, the face's box
 * (made square) resampled to a fixed size, so that they are comparable across face sizes and
 * detectors; only its central two thirds is used, which is skin and features rather than hair and
 * background.
 */
export function assessQuality(face: DetectedFace, patch: RgbImage): FaceQuality {
  const grey = toGrey(patch);
  const inset = Math.round(patch.width / 6);
  const region = { x: inset, y: inset, width: patch.width - 2 * inset, height: patch.height - 2 * inset };
  return {
    detectionScore: face.score,
    faceSize: Math.min(face.box.width, face.box.height),
    sharpness: laplacianVariance(grey, patch.width, region),
    brightness: meanOf(grey, patch.width, region),
    yaw: estimateYaw(face.landmarks5),
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
 * Rough head yaw in degrees from the five points: where the nose tip falls between the two eyes,
 * measured along the eye line so that roll does not leak in. Model: the eyes sit on a cylinder
 * ±35° either side of the nose, the nose tip stands half a radius proud of it. Turning by θ moves
 * the nose's projection off the eyes' midpoint by tan θ · (1.5 − cos 35°) / sin 35° of half the
 * eye distance; a frontal face gives 0°, negative when the face turns towards the image's left.
 */
export function estimateYaw(landmarks5: Point[]): number {
  const [left, right, nose] = landmarks5;
  if (!left || !right || !nose) return 0;
  let ux = right.x - left.x;
  let uy = right.y - left.y;
  const len = Math.hypot(ux, uy);
  if (len === 0) return 0;
  ux /= len;
  uy /= len;
  const along = (p: Point) => p.x * ux + p.y * uy;
  const offset = (2 * (along(nose) - along(left))) / (along(right) - along(left)) - 1;
  return Math.atan((offset * Math.sin(EYE_ANGLE)) / (NOSE_PROTRUSION - Math.cos(EYE_ANGLE))) * DEGREES;
}

const EYE_ANGLE = (35 * Math.PI) / 180;
const NOSE_PROTRUSION = 1.5;
