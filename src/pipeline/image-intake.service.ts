import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import sharp, { type Metadata, type OutputInfo, type SharpOptions } from 'sharp';
import { AppConfig } from '../config/app-config.js';
import { ImageTooLargeError, InvalidImageError, UnsupportedImageError } from '../face/face.errors.js';
import type { DecodedImage } from '../face/face.types.js';

/**
 * Formats accepted from clients. SVG (a renderer with external references), PDF and the rest of
 * libvips' loaders are refused: they widen the attack surface and never carry face photos. `heif`
 * is AVIF here; sharp's prebuilt binaries do not include the patented HEVC decoder.
 */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

// Each upload is decoded once, so libvips' operation cache would only hold memory.
sharp.cache(false);

export interface ImageIntakeLimits {
  maxBytes: number;
  maxPixels: number;
}

/**
 * Turns untrusted upload bytes into packed 8-bit RGB. Every failure is a 4xx domain error:
 * size and pixel-count limits are checked from the header before any pixel is decoded, so a
 * decompression bomb costs a metadata read, not gigabytes of memory.
 */
@Injectable()
export class ImageIntakeService {
  private readonly limits: ImageIntakeLimits;

  constructor(config: AppConfig) {
    this.limits = config.images;
  }

  async decode(bytes: Uint8Array): Promise<DecodedImage> {
    return decodeImage(bytes, this.limits);
  }
}

export async function decodeImage(bytes: Uint8Array, limits: ImageIntakeLimits): Promise<DecodedImage> {
  if (bytes.byteLength === 0) throw new InvalidImageError('The uploaded image is empty');
  if (bytes.byteLength > limits.maxBytes) {
    throw new ImageTooLargeError(
      `The image is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes} bytes`,
    );
  }

  // 'error' rejects truncated and corrupt data but tolerates the benign warnings (stray bytes
  // before a marker, odd EXIF) that many camera JPEGs trigger under sharp's default 'warning'.
  const options: SharpOptions = { failOn: 'error', limitInputPixels: limits.maxPixels, sequentialRead: true };

  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  } catch (err) {
    throw classifyHeaderError(err);
  }
  const format = String(metadata.format);
  if (!ACCEPTED_FORMATS.has(format)) {
    throw new UnsupportedImageError(
      `Unsupported image format '${format}'; send JPEG, PNG, WebP, GIF, TIFF or AVIF`,
    );
  }
  const { width, height } = metadata;
  if (!width || !height) throw new InvalidImageError('The image header declares no dimensions');
  if (width * height > limits.maxPixels) {
    throw new ImageTooLargeError(
      `The image is ${width}×${height} pixels; the limit is ${limits.maxPixels} pixels`,
    );
  }

  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes, options)
      .autoOrient()
      // Transparent pixels become black, which is what the detector's own padding looks like.
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new InvalidImageError(`The ${format} image could not be decoded (${sharpReason(err)})`);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) {
    throw new InvalidImageError(`The ${format} image decoded to ${info.channels} channels instead of RGB`);
  }
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    format,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    byteLength: bytes.byteLength,
  };
}

function classifyHeaderError(err: unknown): Error {
  const reason = sharpReason(err);
  if (/unsupported image format/i.test(reason)) {
    return new UnsupportedImageError(
      'The upload is not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, AVIF)',
    );
  }
  return new InvalidImageError(`The image header could not be read (${reason})`);
}

/** sharp's messages are libvips diagnostics; keep the first line, which names the problem. */
function sharpReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? message).trim().slice(0, 200);
}
