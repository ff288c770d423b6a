import type { Point, RgbImage } from '../../../face/face.types.js';

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
