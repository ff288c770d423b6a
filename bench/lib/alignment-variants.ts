import {
  type Affine,
  composeAffine,
  DLIB_CHIP_PADDING,
  DLIB_CHIP_SIZE,
  dlibMeanFace,
  faceChipTransform,
  similarityTransform,
  warpAffine,
} from '../../src/embedding/alignment.js';
import type { DetectedFace, FaceChip, Point, RgbImage } from '../../src/face/face.types.js';

/**
 * Alternative face-chip alignments, for `bench/lfw.ts --experiments` only: each maps a detected
 * face to a chip-to-image transform; the chip is then cut with the production `warpAffine`. LFW
 * faces are about one source pixel per chip pixel, so the production aligner's pre-shrink step
 * (used only above 2 source pixels per chip pixel) does not apply.
 */
export interface AlignmentVariant {
  name: string;
  description: string;
  transform(face: DetectedFace, size: number): Affine;
  /** Also embed the mirrored chip and average the two vectors (test-time augmentation). */
  flip?: boolean;
}

/**
 * dlib's template for its 5-point shape predictor (`get_face_chip_details`, 5-part case): outer
 * and inner corner of the image-right eye, outer and inner corner of the image-left eye, bottom
 * of the nose — iBUG points 45, 42, 36, 39, 33.
 */
const DLIB_5_TEMPLATE: Point[] = [
  { x: 0.8595674595992, y: 0.2134981538014 },
  { x: 0.6460604764104, y: 0.2289674387677 },
  { x: 0.1205750620789, y: 0.2137274526848 },
  { x: 0.3340850613712, y: 0.2290642403242 },
  { x: 0.4901123135679, y: 0.6277975316475 },
];
const DLIB_5_INDICES = [45, 42, 36, 39, 33];

/** The common 5-point layout (eye centres, nose tip, mouth corners) placed on dlib's mean face. */
function meanFiveTemplate(): Point[] {
  const mean = dlibMeanFace(); // index 0 is iBUG point 17
  const at = (i: number) => mean[i - 17]!;
  const centre = (from: number, to: number) => {
    let x = 0;
    let y = 0;
    for (let i = from; i <= to; i++) {
      x += at(i).x;
      y += at(i).y;
    }
    return { x: x / (to - from + 1), y: y / (to - from + 1) };
  };
  return [centre(36, 41), centre(42, 47), at(30), at(48), at(54)];
}

/** Fits unit-square template points (with dlib's padding) to image points, as `faceChipTransform` does. */
function fitTemplate(template: Point[], imagePoints: Point[], size: number, padding: number): Affine {
  const scaled = template.map((p) => ({
    x: ((padding + p.x) / (2 * padding + 1)) * size,
    y: ((padding + p.y) / (2 * padding + 1)) * size,
  }));
  const k = size / (size - 1);
  return composeAffine(similarityTransform(scaled, imagePoints), { a: k, b: 0, c: 0, d: 0, e: k, f: 0 });
}

export const ALIGNMENT_VARIANTS: AlignmentVariant[] = [
  {
    name: 'dlib68-p0.25',
    description: 'production: dlib 68-point template (33 points), padding 0.25',
    transform: (face, size) => faceChipTransform(face.landmarks68, size, DLIB_CHIP_PADDING),
  },
  {
    name: 'dlib68-p0.20',
    description: 'dlib 68-point template, padding 0.20 (tighter chip)',
    transform: (face, size) => faceChipTransform(face.landmarks68, size, 0.2),
  },
  {
    name: 'dlib68-p0.30',
    description: 'dlib 68-point template, padding 0.30 (looser chip)',
    transform: (face, size) => faceChipTransform(face.landmarks68, size, 0.3),
  },
  {
    name: 'dlib5-p0.25',
    description: "dlib's 5-point template (eye corners + nose base from the 68 points), padding 0.25",
    transform: (face, size) =>
      fitTemplate(
        DLIB_5_TEMPLATE,
        DLIB_5_INDICES.map((i) => face.landmarks68[i]!),
        size,
        DLIB_CHIP_PADDING,
      ),
  },
  {
    name: 'eyes-nose-mouth5',
    description: 'landmarks5 (eye centres, nose tip, mouth corners) on the dlib mean face, padding 0.25',
    transform: (face, size) => fitTemplate(meanFiveTemplate(), face.landmarks5, size, DLIB_CHIP_PADDING),
  },
  {
    name: 'dlib68-p0.25+flip',
    description: 'production chip, embedding averaged with that of the mirrored chip',
    transform: (face, size) => faceChipTransform(face.landmarks68, size, DLIB_CHIP_PADDING),
    flip: true,
  },
];

export function cutChip(
  image: RgbImage,
  face: DetectedFace,
  variant: AlignmentVariant,
  size = DLIB_CHIP_SIZE,
) {
  return warpAffine(image, variant.transform(face, size), size);
}

export function mirror(chip: FaceChip): FaceChip {
  const { width, height } = chip;
  const out = new Uint8Array(chip.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (y * width + x) * 3;
      const dst = (y * width + (width - 1 - x)) * 3;
      out[dst] = chip.data[src]!;
      out[dst + 1] = chip.data[src + 1]!;
      out[dst + 2] = chip.data[src + 2]!;
    }
  }
  return { data: out, width, height };
}

/** Mean of two unit vectors, renormalised. */
export function averageUnit(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    out[i] = a[i]! + b[i]!;
    norm += out[i]! * out[i]!;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / norm;
  return out;
}
