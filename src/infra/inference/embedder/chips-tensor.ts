import type { RgbImage } from '../../../face/face.types.js';

/** Stacks equally sized square chips into one [rows, size, size, 3] batch of bytes. */
export function chipsTensor(chips: RgbImage[], size: number, rows = chips.length): Uint8Array {
  const stride = size * size * 3;
  // Rows past the chips (a fixed-batch model's padding) stay black.
  const out = new Uint8Array(rows * stride);
  chips.forEach((chip, i) => {
    if (chip.width !== size || chip.height !== size) {
      throw new RangeError(`Chip ${i} is ${chip.width}×${chip.height}; the embedder needs ${size}×${size}`);
    }
    out.set(chip.data, i * stride);
  });
  return out;
}
