import sharp, { type Sharp } from 'sharp';
import type { Box, RgbImage } from '../../../face/face.types.js';
import type { SquareFit } from './landmark-geometry.js';
import type { Letterbox } from './ssd-postprocess.js';

/**
 * Builders for the models' NHWC inputs: RGB bytes 0..255, widened to float32 by the worker
 * (normalisation is inside the graphs).
 * Resizing is left to libvips, which filters properly when shrinking and runs on libuv's pool,
 * and the zero padding is written here: one sharp pipeline applies extend() after resize(), so
 * pad-then-resize would need two pipelines and a full-size intermediate image.
 */

function rawInput(image: RgbImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

/** Copies packed RGB rows into `out` at (offsetX, offsetY) of a `size`-wide square. */
function blit(
  pixels: Uint8Array,
  width: number,
  height: number,
  out: Uint8Array | Float32Array,
  base: number,
  size: number,
  offsetX = 0,
  offsetY = 0,
): void {
  const row = width * 3;
  for (let y = 0; y < height; y++) {
    out.set(pixels.subarray(y * row, (y + 1) * row), base + ((y + offsetY) * size + offsetX) * 3);
  }
}

/** The detector input: the image scaled into a black `inputSize` square as `geometry` says. */
export async function letterboxTensor(image: RgbImage, geometry: Letterbox): Promise<Uint8Array> {
  const { inputSize, resizedWidth, resizedHeight, offsetX, offsetY } = geometry;
  const pixels =
    resizedWidth === image.width && resizedHeight === image.height
      ? image.data
      : await rawInput(image).resize(resizedWidth, resizedHeight, { fit: 'fill' }).raw().toBuffer();
  const out = new Uint8Array(inputSize * inputSize * 3);
  blit(pixels, resizedWidth, resizedHeight, out, 0, inputSize, offsetX, offsetY);
  return out;
}

/** Writes one landmark-net input (crop, resized and centred per `fit`) into a batch at `index`. */
export async function writeCropTensor(
  image: RgbImage,
  crop: Box,
  fit: SquareFit,
  batch: Uint8Array | Float32Array,
  index: number,
): Promise<void> {
  const pixels = await rawInput(image)
    .extract({ left: crop.x, top: crop.y, width: crop.width, height: crop.height })
    .resize(fit.width, fit.height, { fit: 'fill' })
    .raw()
    .toBuffer();
  blit(
    pixels,
    fit.width,
    fit.height,
    batch,
    index * fit.size * fit.size * 3,
    fit.size,
    fit.offsetX,
    fit.offsetY,
  );
}
