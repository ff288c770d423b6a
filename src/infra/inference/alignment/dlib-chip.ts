import type { Point } from '../../../face/face.types.js';
import { type Affine, composeAffine, similarityTransform } from './alignment.js';

/**
 * dlib's mean face shape for iBUG points 17–67 in a unit square, copied from `get_face_chip_details`
 * in dlib/image_transforms/interpolation.h (dlib 19.x, Boost Software License). dlib's ResNet
 * (which face-api's `face_recognition_model` ports) was trained on chips cut with this template
 * at the size and padding its profile records, so matching it is what makes the embeddings comparable.
 */
const MEAN_FACE_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004,
  0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122,
  0.265825, 0.334606, 0.260918, 0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149,
  0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532,
  0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
];
const MEAN_FACE_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454,
  0.203352, 0.307009, 0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423,
  0.178758, 0.179852, 0.231733, 0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077,
  0.245099, 0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805, 0.902192,
  0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746, 0.784792, 0.824182, 0.831803,
  0.824182,
];

export interface ChipTemplate {
  /** The iBUG indices used: 27–54 and 60–64 (dlib ignores the eyebrows, jaw and lower lip). */
  indices: number[];
  /** Where those points sit in the chip, in template units (0..size). */
  points: Point[];
}

/** dlib's mean shape for iBUG points 17–67 in the unit square (index 0 here is point 17). */
export function dlibMeanFace(): Point[] {
  return MEAN_FACE_X.map((x, i) => ({ x, y: MEAN_FACE_Y[i] ?? 0 }));
}

export function chipTemplate(size: number, padding: number): ChipTemplate {
  const indices: number[] = [];
  const points: Point[] = [];
  for (let i = 17; i < 68; i++) {
    if ((i >= 55 && i <= 59) || i >= 65 || i <= 26) continue;
    indices.push(i);
    points.push({
      x: ((padding + (MEAN_FACE_X[i - 17] ?? 0)) / (2 * padding + 1)) * size,
      y: ((padding + (MEAN_FACE_Y[i - 17] ?? 0)) / (2 * padding + 1)) * size,
    });
  }
  return { indices, points };
}

/**
 * The map from chip pixel (column, row) to source-image coordinates, reproducing dlib's
 * `extract_image_chip(img, get_face_chip_details(shape, size, padding))`. dlib fits the template
 * to the landmarks, then spans the chip's first to last pixel across the template's full width
 * (`size` units over `size − 1` pixels), hence the `size / (size − 1)` stretch.
 */
export function dlibChipTransform(landmarks68: Point[], size: number, padding: number): Affine {
  if (landmarks68.length !== 68) throw new RangeError(`Expected 68 landmarks, got ${landmarks68.length}`);
  const template = chipTemplate(size, padding);
  const imagePoints = template.indices.map((i) => landmarks68[i]!);
  const templateToImage = similarityTransform(template.points, imagePoints);
  const k = size / (size - 1);
  return composeAffine(templateToImage, { a: k, b: 0, c: 0, d: 0, e: k, f: 0 });
}
