import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';

/**
 * Writes a photo as a one-frame YUV4MPEG2 (.y4m) video: what Chromium's fake camera plays in a
 * loop with `--use-file-for-fake-video-capture`. The photo is letterboxed into `width`×`height`
 * (even, as 4:2:0 chroma needs) and converted to full-range BT.601 YCbCr (`C420jpeg`), the
 * colour space JPEG itself uses, so the camera shows the photo's own colours.
 */
export async function writeY4m(photo: Buffer, file: string, width = 640, height = 480): Promise<void> {
  const rgb = await sharp(photo)
    .resize(width, height, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .removeAlpha()
    .raw()
    .toBuffer();
  const luma = Buffer.alloc(width * height);
  const cb = Buffer.alloc((width / 2) * (height / 2));
  const cr = Buffer.alloc((width / 2) * (height / 2));
  const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      luma[y * width + x] = clamp(0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!);
    }
  }
  // Chroma from the mean colour of each 2×2 block.
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((y + dy) * width + x + dx) * 3;
        r += rgb[i]!;
        g += rgb[i + 1]!;
        b += rgb[i + 2]!;
      }
      [r, g, b] = [r / 4, g / 4, b / 4];
      const at = (y / 2) * (width / 2) + x / 2;
      cb[at] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      cr[at] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`, 'ascii');
  await writeFile(file, Buffer.concat([header, Buffer.from('FRAME\n', 'ascii'), luma, cb, cr]));
}
