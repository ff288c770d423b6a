import type { Point, RgbImage } from '../face/face.types.js';

/**
 * dlib's mean face shape for iBUG points 17–67 in a unit square, copied from `get_face_chip_details`
 * in dlib/image_transforms/interpolation.h (dlib 19.x, Boost Software License). dlib's ResNet
 * (which face-api's `face_recognition_model` ports) was trained on chips cut with this template
 * at `size = 150, padding = 0.25`, so matching it is what makes the embeddings comparable.
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

export const DLIB_CHIP_SIZE = 150;
export const DLIB_CHIP_PADDING = 0.25;

/**
 * The 2×3 affine map (x, y) → (a·x + b·y + c, d·x + e·y + f). Similarity transforms are the
 * special case a = e, b = −d.
 */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

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

export function chipTemplate(size = DLIB_CHIP_SIZE, padding = DLIB_CHIP_PADDING): ChipTemplate {
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

export function applyAffine(t: Affine, p: Point): Point {
  return { x: t.a * p.x + t.b * p.y + t.c, y: t.d * p.x + t.e * p.y + t.f };
}

export function invertAffine(t: Affine): Affine {
  const det = t.a * t.e - t.b * t.d;
  if (det === 0) throw new RangeError('Affine transform is singular');
  const a = t.e / det;
  const b = -t.b / det;
  const d = -t.d / det;
  const e = t.a / det;
  return { a, b, c: -(a * t.c + b * t.f), d, e, f: -(d * t.c + e * t.f) };
}

/** `outer ∘ inner`: first apply `inner`, then `outer`. */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  return {
    a: outer.a * inner.a + outer.b * inner.d,
    b: outer.a * inner.b + outer.b * inner.e,
    c: outer.a * inner.c + outer.b * inner.f + outer.c,
    d: outer.d * inner.a + outer.e * inner.d,
    e: outer.d * inner.b + outer.e * inner.e,
    f: outer.d * inner.c + outer.e * inner.f + outer.f,
  };
}

/**
 * Least-squares similarity transform (rotation, uniform scale, translation; no reflection)
 * taking `from[i]` onto `to[i]` — Umeyama's method, which in 2-D has this closed form: with
 * both sets centred, scale·cos θ = Σ(p·q)/Σ|p|² and scale·sin θ = Σ(p×q)/Σ|p|². dlib's
 * `find_similarity_transform` solves the same problem.
 */
export function similarityTransform(from: Point[], to: Point[]): Affine {
  if (from.length !== to.length || from.length < 2) {
    throw new RangeError('similarityTransform needs two equally long lists of at least 2 points');
  }
  const n = from.length;
  let fx = 0, fy = 0, tx = 0, ty = 0; // prettier-ignore
  for (let i = 0; i < n; i++) {
    fx += from[i]!.x;
    fy += from[i]!.y;
    tx += to[i]!.x;
    ty += to[i]!.y;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let dot = 0, cross = 0, norm = 0; // prettier-ignore
  for (let i = 0; i < n; i++) {
    const px = from[i]!.x - fx;
    const py = from[i]!.y - fy;
    const qx = to[i]!.x - tx;
    const qy = to[i]!.y - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new RangeError('similarityTransform: source points are all identical');
  const cos = dot / norm;
  const sin = cross / norm;
  return { a: cos, b: -sin, c: tx - (cos * fx - sin * fy), d: sin, e: cos, f: ty - (sin * fx + cos * fy) };
}

/**
 * The map from chip pixel (column, row) to source-image coordinates, reproducing dlib's
 * `extract_image_chip(img, get_face_chip_details(shape, size, padding))`. dlib fits the template
 * to the landmarks, then spans the chip's first to last pixel across the template's full width
 * (`size` units over `size − 1` pixels), hence the `size / (size − 1)` stretch.
 */
export function faceChipTransform(
  landmarks68: Point[],
  size = DLIB_CHIP_SIZE,
  padding = DLIB_CHIP_PADDING,
): Affine {
  if (landmarks68.length !== 68) throw new RangeError(`Expected 68 landmarks, got ${landmarks68.length}`);
  const template = chipTemplate(size, padding);
  const imagePoints = template.indices.map((i) => landmarks68[i]!);
  const templateToImage = similarityTransform(template.points, imagePoints);
  const k = size / (size - 1);
  return composeAffine(templateToImage, { a: k, b: 0, c: 0, d: 0, e: k, f: 0 });
}

/** Source pixels per chip pixel, i.e. how much the warp shrinks the face. */
export function affineScale(t: Affine): number {
  return Math.sqrt(Math.abs(t.a * t.e - t.b * t.d));
}

/**
 * Resamples `src` into a `size`×`size` RGB chip: chip pixel (x, y) takes the bilinear
 * interpolation of `src` at `chipToSrc(x, y)`, with pixel centres on integer coordinates.
 * Samples that fall outside the image are black, as in dlib.
 */
export function warpAffine(src: RgbImage, chipToSrc: Affine, size: number): RgbImage {
  const out = new Uint8Array(size * size * 3);
  const { data, width, height } = src;
  const { a, b, c, d, e, f } = chipToSrc;
  const stride = width * 3;
  const maxX = width - 1;
  const maxY = height - 1;
  // Runs on the event loop for every face: locals, integer truncation (coordinates are ≥ 0 here)
  // and an unrolled channel loop keep it near 1 ms per chip.
  for (let row = 0, o = 0; row < size; row++) {
    let sx = b * row + c;
    let sy = e * row + f;
    for (let col = 0; col < size; col++, sx += a, sy += d, o += 3) {
      if (sx < 0 || sy < 0 || sx > maxX || sy > maxY) continue;
      const x0 = sx | 0;
      const y0 = sy | 0;
      const wx = sx - x0;
      const wy = sy - y0;
      const i00 = y0 * stride + x0 * 3;
      const i01 = x0 < maxX ? i00 + 3 : i00;
      const i10 = y0 < maxY ? i00 + stride : i00;
      const i11 = x0 < maxX ? i10 + 3 : i10;
      const w00 = (1 - wx) * (1 - wy);
      const w01 = wx * (1 - wy);
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      out[o] = data[i00]! * w00 + data[i01]! * w01 + data[i10]! * w10 + data[i11]! * w11 + 0.5;
      out[o + 1] =
        data[i00 + 1]! * w00 + data[i01 + 1]! * w01 + data[i10 + 1]! * w10 + data[i11 + 1]! * w11 + 0.5;
      out[o + 2] =
        data[i00 + 2]! * w00 + data[i01 + 2]! * w01 + data[i10 + 2]! * w10 + data[i11 + 2]! * w11 + 0.5;
    }
  }
  return { data: out, width: size, height: size };
}
