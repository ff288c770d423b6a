import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageTooLargeError, InvalidImageError, UnsupportedImageError } from '../face/face.errors.js';
import type { AppConfig } from '../config/app-config.js';
import { type ImageIntakeLimits, ImageIntakeService } from './image-intake.service.js';

const DEMO = resolve('node_modules/@vladmandic/face-api/demo/sample1.jpg');
const limits: ImageIntakeLimits = { maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000 };

function decodeImage(bytes: Uint8Array, l: ImageIntakeLimits) {
  const images = { ...l, decodeBudgetPixels: 2 * l.maxPixels, decodeQueueTimeoutMs: 1000 };
  return new ImageIntakeService({ images } as AppConfig).decode(bytes);
}

/** A syntactically valid PNG whose IHDR declares the given size over a tiny IDAT stream. */
function pngWithHeader(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('decodeImage', () => {
  let jpeg: Buffer;
  beforeAll(() => {
    jpeg = readFileSync(DEMO);
  });

  it('decodes a JPEG to packed RGB and hashes the original bytes', async () => {
    const image = await decodeImage(jpeg, limits);
    expect(image).toMatchObject({ width: 1920, height: 1280, format: 'jpeg', byteLength: jpeg.length });
    expect(image.data.length).toBe(1920 * 1280 * 3);
    expect(image.sha256).toBe(createHash('sha256').update(jpeg).digest('hex'));
  });

  it('rejects an empty upload with 400', async () => {
    await expect(decodeImage(Buffer.alloc(0), limits)).rejects.toMatchObject({
      constructor: InvalidImageError,
      httpStatus: 400,
    });
  });

  it('rejects random bytes and text with 415', async () => {
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251));
    await expect(decodeImage(random, limits)).rejects.toBeInstanceOf(UnsupportedImageError);
    const text = Buffer.from('name,age\nalice,30\n');
    await expect(decodeImage(text, limits)).rejects.toMatchObject({ httpStatus: 415 });
  });

  it('rejects SVG, which sharp could render, with 415 before any decoder reads it', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64"/></svg>',
    );
    await expect(decodeImage(svg, limits)).rejects.toMatchObject({
      httpStatus: 415,
      message: 'The upload is not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, AVIF)',
    });
    // Even with a PNG-looking name or an XML declaration first: the bytes decide.
    const declared = Buffer.concat([Buffer.from('<?xml version="1.0"?>\n'), svg]);
    await expect(decodeImage(declared, limits)).rejects.toMatchObject({ httpStatus: 415 });
  });

  it('rejects a JPEG cut in half with 400, not a crash', async () => {
    const half = jpeg.subarray(0, jpeg.length >> 1);
    const error = await decodeImage(half, limits).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidImageError);
    expect((error as InvalidImageError).message).toMatch(/could not be decoded/);
  });

  it('rejects a PNG declaring 100000×100000 pixels with 413 from the header alone', async () => {
    const bomb = pngWithHeader(100_000, 100_000);
    const started = performance.now();
    await expect(decodeImage(bomb, limits)).rejects.toMatchObject({
      constructor: ImageTooLargeError,
      httpStatus: 413,
      message: expect.stringMatching(/100000×100000/),
    });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('rejects uploads over the byte limit with 413 before touching sharp', async () => {
    await expect(decodeImage(jpeg, { ...limits, maxBytes: 1024 })).rejects.toMatchObject({ httpStatus: 413 });
  });

  it('applies the EXIF orientation so width and height swap', async () => {
    const rotated = await sharp(jpeg).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const image = await decodeImage(rotated, limits);
    expect([image.width, image.height]).toEqual([1280, 1920]);
  });

  it('flattens alpha and converts grey and 16-bit images to 8-bit RGB', async () => {
    const small = sharp(jpeg).resize(64, 48);
    const variants = [
      await small.clone().ensureAlpha(0.5).png().toBuffer(),
      await small.clone().greyscale().png().toBuffer(),
      await small.clone().toColourspace('rgb16').png().toBuffer(),
      await small.clone().webp().toBuffer(),
      await small.clone().gif().toBuffer(),
    ];
    for (const bytes of variants) {
      const image = await decodeImage(bytes, limits);
      expect(image.data.length).toBe(64 * 48 * 3);
    }
  });
});
