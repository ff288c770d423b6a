import sharp from 'sharp';

/** A face box as the detectors output it: normalised to the padded square. */
export interface NormalisedBox {
  ymin: number;
  xmin: number;
  ymax: number;
  xmax: number;
}

async function decodeRgb(file: string) {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * The detector input face-api builds: the image padded with black at the bottom/right to a square,
 * resized to size×size, as float RGB 0..255 in NHWC order. Two pipelines, because sharp applies
 * `extend` after `resize` within one.
 */
export async function letterboxSquare(file: string, size: number): Promise<Float32Array> {
  const image = await decodeRgb(file);
  const side = Math.max(image.width, image.height);
  const padded = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extend({ bottom: side - image.height, right: side - image.width, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer();
  const resized = await sharp(padded, { raw: { width: side, height: side, channels: 3 } })
    .resize(size, size)
    .raw()
    .toBuffer();
  return Float32Array.from(resized);
}

/**
 * The landmark/recognition input face-api builds from a detection: the box cropped from the image,
 * padded to a square with equal black borders, resized to size×size, float RGB NHWC.
 */
export async function faceCrop(file: string, box: NormalisedBox, size: number): Promise<Float32Array> {
  const image = await decodeRgb(file);
  const side = Math.max(image.width, image.height);
  const clamp = (v: number, max: number) => Math.min(Math.max(Math.round(v * side), 0), max);
  const left = clamp(box.xmin, image.width - 1);
  const top = clamp(box.ymin, image.height - 1);
  const width = Math.max(clamp(box.xmax, image.width) - left, 1);
  const height = Math.max(clamp(box.ymax, image.height) - top, 1);
  const square = Math.max(width, height);
  const padX = square - width;
  const padY = square - height;
  const crop = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width, height })
    .extend({
      left: Math.floor(padX / 2),
      right: Math.ceil(padX / 2),
      top: Math.floor(padY / 2),
      bottom: Math.ceil(padY / 2),
      background: { r: 0, g: 0, b: 0 },
    })
    .raw()
    .toBuffer();
  const resized = await sharp(crop, { raw: { width: square, height: square, channels: 3 } })
    .resize(size, size)
    .raw()
    .toBuffer();
  return Float32Array.from(resized);
}
