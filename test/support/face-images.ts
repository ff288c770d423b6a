import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
const FACE_API_DIR = path.dirname(require.resolve('@vladmandic/face-api/package.json'));

/** face-api's demo photos (3–6 faces each), shipped in node_modules: available on every machine. */
export function demoImage(n: number): Buffer {
  return readFileSync(path.join(FACE_API_DIR, 'demo', `sample${n}.jpg`));
}

/** The LFW development set beside the project, when this machine has it. */
export const LFW_DIR = path.resolve(process.cwd(), '../shared/lfw-dev');
export const HAS_LFW = existsSync(path.join(LFW_DIR, 'pairsDevTest.txt'));

export function lfwImage(name: string, index: number): Buffer {
  return readFileSync(path.join(LFW_DIR, 'images', name, `${name}_${String(index).padStart(4, '0')}.jpg`));
}

/** A region of an image, enlarged around a box so the face keeps its context, re-encoded as JPEG. */
export async function cropAround(
  image: Buffer,
  box: { x: number; y: number; width: number; height: number },
  margin = 0.6,
): Promise<Buffer> {
  const meta = await sharp(image).metadata();
  const left = Math.max(0, Math.floor(box.x - box.width * margin));
  const top = Math.max(0, Math.floor(box.y - box.height * margin));
  const right = Math.min(meta.width!, Math.ceil(box.x + box.width * (1 + margin)));
  const bottom = Math.min(meta.height!, Math.ceil(box.y + box.height * (1 + margin)));
  return sharp(image)
    .extract({ left, top, width: right - left, height: bottom - top })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/**
 * Another "photo" of the same face: mirrored, rescaled, slightly brighter and re-encoded. Not a
 * second photograph, but different pixels everywhere — enough to prove matching is not an exact
 * lookup when no LFW pairs are at hand.
 */
export async function variantOf(image: Buffer): Promise<Buffer> {
  const meta = await sharp(image).metadata();
  return sharp(image)
    .flop()
    .resize(Math.round(meta.width! * 1.3))
    .modulate({ brightness: 1.1 })
    .jpeg({ quality: 80 })
    .toBuffer();
}
