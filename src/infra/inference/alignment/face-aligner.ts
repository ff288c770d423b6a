import sharp from 'sharp';
import type { FaceChip, RgbImage } from '../../../face/face.types.js';
import { type Affine, affineScale, applyAffine, composeAffine, warpAffine } from './alignment.js';

export interface AlignedChip {
  chip: FaceChip;
  /** Chip pixel → source-image pixel. */
  chipToImage: Affine;
}

/**
 * Above this many source pixels per chip pixel, bilinear sampling skips pixels and aliases;
 * dlib switches to an image pyramid at the same point.
 */
const MAX_DIRECT_SCALE = 2;

/**
 * Cuts the `size`×`size` chip that `chipToImage` describes. Large faces are first shrunk
 * (anti-aliased, by libvips, off the event loop) in a region around the chip so the final
 * bilinear warp runs at about one source pixel per chip pixel — the role dlib's `pyramid_down<2>`
 * plays; without it a face five times the chip's size would be sampled, not averaged.
 */
export async function alignFace(image: RgbImage, chipToImage: Affine, size: number): Promise<AlignedChip> {
  const scale = affineScale(chipToImage);
  if (scale <= MAX_DIRECT_SCALE) return { chip: warpAffine(image, chipToImage, size), chipToImage };

  const region = chipRegion(chipToImage, size, scale, image.width, image.height);
  if (!region) return { chip: warpAffine(image, chipToImage, size), chipToImage };

  const width = Math.max(1, Math.round(region.width / scale));
  const height = Math.max(1, Math.round(region.height / scale));
  const small = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  // libvips resamples with pixel centres aligned: x_small = (x − left + ½)·k − ½.
  const kx = width / region.width;
  const ky = height / region.height;
  const imageToSmall: Affine = {
    a: kx,
    b: 0,
    c: (0.5 - region.x) * kx - 0.5,
    d: 0,
    e: ky,
    f: (0.5 - region.y) * ky - 0.5,
  };
  const smallImage: RgbImage = {
    data: new Uint8Array(small.buffer, small.byteOffset, small.byteLength),
    width,
    height,
  };
  return { chip: warpAffine(smallImage, composeAffine(imageToSmall, chipToImage), size), chipToImage };
}

/** Integer bounding box of the chip's footprint in the image, with a margin for the filter. */
function chipRegion(
  chipToImage: Affine,
  size: number,
  scale: number,
  imageWidth: number,
  imageHeight: number,
) {
  const corners = [
    { x: 0, y: 0 },
    { x: size - 1, y: 0 },
    { x: 0, y: size - 1 },
    { x: size - 1, y: size - 1 },
  ].map((p) => applyAffine(chipToImage, p));
  const margin = 2 * scale;
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.x)) - margin));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.y)) - margin));
  const x1 = Math.min(imageWidth, Math.ceil(Math.max(...corners.map((p) => p.x)) + margin));
  const y1 = Math.min(imageHeight, Math.ceil(Math.max(...corners.map((p) => p.y)) + margin));
  if (x1 - x0 < 2 || y1 - y0 < 2) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
