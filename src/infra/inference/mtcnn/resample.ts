/** Packed RGB pixels, bytes or floats (pyramid levels keep their filtered values). */
export interface Raster {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

/** A region in continuous pixel-edge coordinates: pixel i spans [i, i + 1). */
export interface Region {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Per output column (or row): the first source index it reads and the weight of each source
 * index it covers. Shrinking averages the whole footprint (OpenCV's INTER_AREA, which the MTCNN
 * reference resizes with, so small nets see what they were trained on); enlarging interpolates
 * linearly between pixel centres. Sources outside the image read as black, as in facenet's
 * zero-padded crops.
 */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  /** Stride of `weights` per output index. */
  stride: number;
}

function taps(from: number, to: number, out: number, limit: number): Taps {
  const scale = (to - from) / out;
  if (scale > 1) {
    const stride = Math.ceil(scale) + 2;
    const start = new Int32Array(out);
    const count = new Int32Array(out);
    const weights = new Float32Array(out * stride);
    for (let o = 0; o < out; o++) {
      const a = from + o * scale;
      const b = a + scale;
      const first = Math.floor(a);
      const last = Math.ceil(b) - 1;
      start[o] = first;
      count[o] = last - first + 1;
      for (let s = first, k = 0; s <= last; s++, k++) {
        const cover = Math.min(b, s + 1) - Math.max(a, s);
        weights[o * stride + k] = s >= 0 && s < limit ? cover / scale : 0;
      }
    }
    return { start, count, weights, stride };
  }
  const start = new Int32Array(out);
  const count = new Int32Array(out).fill(2);
  const weights = new Float32Array(out * 2);
  for (let o = 0; o < out; o++) {
    // Centre of output pixel o, mapped into source pixel-centre coordinates.
    const centre = from + (o + 0.5) * scale - 0.5;
    const first = Math.floor(centre);
    const t = centre - first;
    start[o] = first;
    weights[o * 2] = first >= 0 && first < limit ? 1 - t : 0;
    weights[o * 2 + 1] = first + 1 >= 0 && first + 1 < limit ? t : 0;
  }
  return { start, count, weights, stride: 2 };
}

/**
 * Resamples `region` of `image` to `width`×`height` RGB, separably (rows, then columns), into
 * `out` at element offset `offset` (a batch tensor can be filled in place). Values stay 0..255.
 */
export function resampleRegion(
  image: Raster,
  region: Region,
  width: number,
  height: number,
  out: Float32Array = new Float32Array(width * height * 3),
  offset = 0,
): Float32Array {
  const xs = taps(region.x1, region.x2, width, image.width);
  const ys = taps(region.y1, region.y2, height, image.height);
  const { data } = image;
  const rowStride = image.width * 3;
  // Horizontal pass over only the source rows some output row reads.
  const rowFirst = Math.max(0, ys.start[0]!);
  const rowLast = Math.min(image.height - 1, ys.start[height - 1]! + ys.count[height - 1]! - 1);
  const rows = Math.max(0, rowLast - rowFirst + 1);
  const horizontal = new Float32Array(rows * width * 3);
  for (let r = 0; r < rows; r++) {
    const src = (rowFirst + r) * rowStride;
    for (let o = 0; o < width; o++) {
      let red = 0, green = 0, blue = 0; // prettier-ignore
      const first = xs.start[o]!;
      for (let k = 0; k < xs.count[o]!; k++) {
        const w = xs.weights[o * xs.stride + k]!;
        if (w === 0) continue;
        const i = src + (first + k) * 3;
        red += w * data[i]!;
        green += w * data[i + 1]!;
        blue += w * data[i + 2]!;
      }
      const h = (r * width + o) * 3;
      horizontal[h] = red;
      horizontal[h + 1] = green;
      horizontal[h + 2] = blue;
    }
  }
  for (let o = 0; o < height; o++) {
    const first = ys.start[o]!;
    for (let x = 0; x < width; x++) {
      let red = 0, green = 0, blue = 0; // prettier-ignore
      for (let k = 0; k < ys.count[o]!; k++) {
        const w = ys.weights[o * ys.stride + k]!;
        if (w === 0) continue;
        const h = ((first + k - rowFirst) * width + x) * 3;
        red += w * horizontal[h]!;
        green += w * horizontal[h + 1]!;
        blue += w * horizontal[h + 2]!;
      }
      const d = offset + (o * width + x) * 3;
      out[d] = red;
      out[d + 1] = green;
      out[d + 2] = blue;
    }
  }
  return out;
}

/** One level of an image pyramid: the image scaled by `sx`, `sy` (its size over the original's). */
export interface PyramidLevel extends Raster {
  sx: number;
  sy: number;
}

/**
 * The image at each of `scales`, every level resampled from the previous one rather than from the
 * original, so the cost is about that of the first level.
 */
export function buildPyramid(image: Raster, scales: number[]): PyramidLevel[] {
  const levels: PyramidLevel[] = [];
  let source: Raster = image;
  for (const scale of scales) {
    const width = Math.max(1, Math.ceil(image.width * scale));
    const height = Math.max(1, Math.ceil(image.height * scale));
    const data = resampleRegion(source, { x1: 0, y1: 0, x2: source.width, y2: source.height }, width, height);
    const level = { data, width, height, sx: width / image.width, sy: height / image.height };
    levels.push(level);
    source = level;
  }
  return levels;
}

/**
 * Resamples `region` (in original-image coordinates) to `size`×`size` from the smallest pyramid
 * level that still holds it at `size` pixels or more, so a crop costs about `size`² whatever the
 * face's size; regions smaller than that come from the original.
 */
export function cropFromPyramid(
  image: Raster,
  levels: readonly PyramidLevel[],
  region: Region,
  size: number,
  out: Float32Array,
  offset: number,
): void {
  const side = Math.min(region.x2 - region.x1, region.y2 - region.y1);
  let source: Raster = image;
  let sx = 1;
  let sy = 1;
  for (const level of levels) {
    if (side * Math.min(level.sx, level.sy) < size) break;
    [source, sx, sy] = [level, level.sx, level.sy];
  }
  const scaled = { x1: region.x1 * sx, y1: region.y1 * sy, x2: region.x2 * sx, y2: region.y2 * sy };
  resampleRegion(source, scaled, size, size, out, offset);
}
