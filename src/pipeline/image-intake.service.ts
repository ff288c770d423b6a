import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import sharp, { type Metadata, type OutputInfo, type SharpOptions } from 'sharp';
import { AppConfig } from '../config/app-config.js';
import { ImageTooLargeError, InvalidImageError, UnsupportedImageError } from '../face/face.errors.js';
import type { DecodedImage } from '../face/face.types.js';
import { DecodeBudget } from './decode-budget.js';
import { imageSignature } from './image-signature.js';

/**
 * Formats accepted from clients, as libvips names them once the first bytes have matched one of
 * `imageSignature`'s: `heif` is AVIF here (sharp's prebuilt binaries carry no HEVC decoder).
 */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

// Each upload is decoded once, so libvips' operation cache would only hold memory.
sharp.cache(false);

// 'error' rejects truncated and corrupt data but tolerates the benign warnings (stray bytes before
// a marker, odd EXIF) that many camera JPEGs trigger under sharp's default 'warning'.
const SHARP_OPTIONS: SharpOptions = { failOn: 'error', sequentialRead: true };

export interface ImageIntakeLimits {
  maxBytes: number;
  maxPixels: number;
}

/**
 * Turns untrusted upload bytes into packed 8-bit RGB. Every failure is a 4xx domain error: the
 * format is recognised from the first bytes before any decoder runs, and size and pixel-count
 * limits are checked from the header before any pixel is decoded, so a decompression bomb costs a
 * metadata read, not gigabytes of memory. Decoding itself draws on a pixel budget shared by all
 * concurrent uploads (`DECODE_PIXEL_BUDGET`).
 */
@Injectable()
export class ImageIntakeService {
  private readonly limits: ImageIntakeLimits;
  readonly budget: DecodeBudget;

  constructor(config: AppConfig) {
    this.limits = config.images;
    this.budget = new DecodeBudget(config.images.decodeBudgetPixels, config.images.decodeQueueTimeoutMs);
  }

  /** Decodes, holding decoding memory only while decoding (the caller keeps the pixels). */
  decode(bytes: Uint8Array): Promise<DecodedImage> {
    return this.withImage(bytes, (image) => Promise.resolve(image));
  }

  /**
   * Decodes and runs `use` on the pixels, holding the image's share of the budget until `use` is
   * done with them: how every request path reads an upload.
   */
  async withImage<T>(bytes: Uint8Array, use: (image: DecodedImage) => Promise<T>): Promise<T> {
    const header = await readHeader(bytes, this.limits);
    return this.budget.run(header.width * header.height, async () =>
      use(await decodeImage(bytes, header, this.limits)),
    );
  }
}

interface Header {
  format: string;
  width: number;
  height: number;
}

/** Checks size, signature, format and pixel count from the header; decodes nothing. */
export async function readHeader(bytes: Uint8Array, limits: ImageIntakeLimits): Promise<Header> {
  if (bytes.byteLength === 0) throw new InvalidImageError('The uploaded image is empty');
  if (bytes.byteLength > limits.maxBytes) {
    throw new ImageTooLargeError(
      `The image is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes} bytes (MAX_IMAGE_BYTES)`,
    );
  }
  if (!imageSignature(bytes)) {
    throw new UnsupportedImageError(
      'The upload is not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, AVIF)',
    );
  }

  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { ...SHARP_OPTIONS, limitInputPixels: false }).metadata();
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
      `The image is ${width}×${height} pixels; the limit is ${limits.maxPixels} pixels (MAX_IMAGE_PIXELS)`,
    );
  }
  return { format, width, height };
}

async function decodeImage(
  bytes: Uint8Array,
  header: Header,
  limits: ImageIntakeLimits,
): Promise<DecodedImage> {
  const { format } = header;
  const options: SharpOptions = { ...SHARP_OPTIONS, limitInputPixels: limits.maxPixels };

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
