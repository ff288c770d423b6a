import sharp from 'sharp';
import type { CropConfig } from '../config/app-config.js';
import type { Box, FaceCrop, RgbImage } from '../face/face.types.js';

/** Side of the square the quality measures are taken on: sharpness depends on scale. */
export const QUALITY_PATCH_SIZE = 96;
/** The stored crop spans the face box and as much again around it (2× its longer side). */
const CROP_CONTEXT = 2;

/** The whole-pixel square of side `factor` × the box's longer side about its centre, clipped to the image. */
export function squareAround(box: Box, factor: number, width: number, height: number): Box | null {
  const side = Math.max(box.width, box.height) * factor;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const x0 = Math.max(0, Math.floor(cx - side / 2));
  const y0 = Math.max(0, Math.floor(cy - side / 2));
  const x1 = Math.min(width, Math.ceil(cx + side / 2));
  const y1 = Math.min(height, Math.ceil(cy + side / 2));
  if (x1 - x0 < 2 || y1 - y0 < 2) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function raw(image: RgbImage) {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

/** The face box, made square, resampled to `QUALITY_PATCH_SIZE` (libvips, off the event loop). */
export async function qualityPatch(image: RgbImage, box: Box): Promise<RgbImage> {
  const size = QUALITY_PATCH_SIZE;
  const region = squareAround(box, 1, image.width, image.height);
  if (!region) return { data: new Uint8Array(size * size * 3), width: size, height: size };
  const data = await raw(image)
    .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
    .resize(size, size, { fit: 'fill' })
    .raw()
    .toBuffer();
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: size, height: size };
}

/**
 * The JPEG kept with an enrolled or cached face: the face with context around it, shrunk (never
 * enlarged) to at most `config.size` pixels on its longer side. Any profile's detector can find
 * the face in it again, which is what re-embedding a gallery needs. Null when crops are off.
 */
export async function storedCrop(image: RgbImage, box: Box, config: CropConfig): Promise<FaceCrop | null> {
  if (config.size === 0) return null;
  const region = squareAround(box, CROP_CONTEXT, image.width, image.height);
  if (!region) return null;
  const { data, info } = await raw(image)
    .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
    .resize(config.size, config.size, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: config.quality, mozjpeg: false })
    .toBuffer({ resolveWithObject: true });
  return {
    jpeg: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}
