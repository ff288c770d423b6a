import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';

import { mulberry32 } from './tflite-parity.js';
import type { TfliteModel, TfliteOperator, TfliteTensor } from './tflite-model.js';
import { runTfliteReference } from './tflite-reference.js';
import { convertTflite, type TfliteConversion } from './tflite-to-onnx.js';

/**
 * Operator mapping on tiny in-memory models (what readTfliteModel would return), each checked
 * against the float64 reference interpreter in onnxruntime, with a batch other than the file's.
 */
const random = mulberry32(7);
const values = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);

type TensorInit = Omit<TfliteTensor, 'index' | 'type'> & { type?: TfliteTensor['type'] };

function tinyModel(tensors: TensorInit[], operators: TfliteOperator[], outputs: string[]): TfliteModel {
  const all = tensors.map((t, index) => ({ type: 'float32' as const, ...t, index }));
  const indexOf = (name: string) => all.findIndex((t) => t.name === name);
  return { version: 3, description: '', tensors: all, inputs: [0], outputs: outputs.map(indexOf), operators };
}

const conversion = (model: TfliteModel, inputShape: TfliteConversion['inputShape']): TfliteConversion => ({
  inputShape,
  transposedImage: false,
  outputs: model.outputs.map((i) => {
    const t = model.tensors[i]!;
    return { tflite: t.name, name: t.name, shape: ['batch', ...t.shape.slice(1)], description: '' };
  }),
});

/** Runs the conversion in ORT and the reference on the same input; returns both per output. */
async function compare(model: TfliteModel, shape: number[], scale = 1) {
  const onnx = convertTflite(model, conversion(model, ['batch', ...shape.slice(1)]), 'tiny', {
    producerVersion: 'test',
    docString: '',
    metadata: {},
  });
  const input = values(
    shape.reduce((a, b) => a * b, 1),
    scale,
  );
  const session = await InferenceSession.create(onnx);
  const actual = await session.run({ input: new Tensor('float32', input, shape) });
  const expected = runTfliteReference(model, { shape, data: Float64Array.from(input) });
  return model.outputs.map((i) => {
    const name = model.tensors[i]!.name;
    const ref = expected.get(name)!;
    const got = actual[name]!;
    const data = got.data as Float32Array;
    const maxAbsDiff = ref.data.reduce((m, v, k) => Math.max(m, Math.abs(v - data[k]!)), 0);
    return { name, dims: got.dims, refShape: ref.shape, maxAbsDiff, data };
  });
}

describe('convertTflite operator mapping', () => {
  it('CONV_2D with SAME padding, stride 2 and a fused RELU6 (odd sizes: padding at the bottom/right)', async () => {
    const model = tinyModel(
      [
        { name: 'input', shape: [1, 5, 7, 2] },
        { name: 'w', shape: [3, 3, 3, 2], data: values(54) }, // OHWI
        { name: 'b', shape: [3], data: values(3) },
        { name: 'out', shape: [1, 3, 4, 3] },
      ],
      [
        {
          op: 'CONV_2D',
          inputs: [0, 1, 2],
          outputs: [3],
          padding: 'SAME',
          strideH: 2,
          strideW: 2,
          dilationH: 1,
          dilationW: 1,
          activation: 'RELU6',
        },
      ],
      ['out'],
    );
    const [out] = await compare(model, [2, 5, 7, 2], 4);
    expect(out!.dims).toEqual([2, 3, 4, 3]);
    expect(out!.refShape).toEqual([2, 3, 4, 3]);
    expect(out!.maxAbsDiff).toBeLessThan(1e-5);
    // The activation clipped some values at both ends.
    expect(Math.max(...out!.data)).toBe(6);
    expect(Math.min(...out!.data)).toBe(0);
  });

  it('DEPTHWISE_CONV_2D with a channel multiplier and dilation, then a SAME max pool', async () => {
    const model = tinyModel(
      [
        { name: 'input', shape: [1, 6, 5, 2] },
        { name: 'w', shape: [1, 3, 3, 4], data: values(36) }, // 1HWC, multiplier 2
        { name: 'b', shape: [4], data: values(4) },
        { name: 'dw', shape: [1, 6, 5, 4] },
        { name: 'out', shape: [1, 3, 3, 4] },
      ],
      [
        {
          op: 'DEPTHWISE_CONV_2D',
          inputs: [0, 1, 2],
          outputs: [3],
          padding: 'SAME',
          strideH: 1,
          strideW: 1,
          dilationH: 2,
          dilationW: 2,
          depthMultiplier: 2,
          activation: 'NONE',
        },
        {
          op: 'MAX_POOL_2D',
          inputs: [3],
          outputs: [4],
          padding: 'SAME',
          strideH: 2,
          strideW: 2,
          filterH: 3,
          filterW: 3,
          activation: 'NONE',
        },
      ],
      ['out'],
    );
    const [out] = await compare(model, [3, 6, 5, 2]);
    expect(out!.dims).toEqual([3, 3, 3, 4]);
    expect(out!.maxAbsDiff).toBeLessThan(1e-5);
  });

  it('FULLY_CONNECTED keeps the NHWC flatten order, after a RESHAPE or straight on a 4-D tensor', async () => {
    const fc = values(5 * 24);
    const model = tinyModel(
      [
        { name: 'input', shape: [1, 2, 3, 4] },
        { name: 'w1', shape: [4, 1, 1, 4], data: values(16) },
        { name: 'features', shape: [1, 2, 3, 4] },
        { name: 'shape', shape: [2], type: 'int32', data: Int32Array.from([1, 24]) }, // batch 1 baked in
        { name: 'flat', shape: [1, 24] },
        { name: 'fc_w', shape: [5, 24], data: fc },
        { name: 'fc_b', shape: [5], data: values(5) },
        { name: 'via_reshape', shape: [1, 5] },
        { name: 'direct', shape: [1, 5] },
      ],
      [
        {
          op: 'CONV_2D',
          inputs: [0, 1, -1],
          outputs: [2],
          padding: 'VALID',
          strideH: 1,
          strideW: 1,
          dilationH: 1,
          dilationW: 1,
          activation: 'NONE',
        },
        { op: 'RESHAPE', inputs: [2, 3], outputs: [4] },
        { op: 'FULLY_CONNECTED', inputs: [4, 5, 6], outputs: [7], activation: 'RELU' },
        { op: 'FULLY_CONNECTED', inputs: [2, 5, 6], outputs: [8], activation: 'RELU' },
      ],
      ['via_reshape', 'direct'],
    );
    const [viaReshape, direct] = await compare(model, [4, 2, 3, 4]);
    for (const out of [viaReshape!, direct!]) {
      expect(out.dims).toEqual([4, 5]);
      expect(out.maxAbsDiff).toBeLessThan(1e-5);
    }
    expect(Array.from(viaReshape!.data)).toEqual(Array.from(direct!.data).map((v) => expect.closeTo(v, 5)));
  });

  it('refuses a RESHAPE that moves the batch and an output mapping that misses a tensor', () => {
    const model = tinyModel(
      [
        { name: 'input', shape: [2, 1, 1, 3] },
        { name: 'shape', shape: [2], type: 'int32', data: Int32Array.from([3, 2]) },
        { name: 'out', shape: [3, 2] },
      ],
      [{ op: 'RESHAPE', inputs: [0, 1], outputs: [2] }],
      ['out'],
    );
    const info = { producerVersion: 'test', docString: '', metadata: {} };
    expect(() => convertTflite(model, conversion(model, ['batch', 1, 1, 3]), 'bad', info)).toThrow(
      /moves the batch/,
    );
    const unmapped = { ...conversion(model, ['batch', 1, 1, 3]), outputs: [] };
    expect(() => convertTflite({ ...model, operators: [] }, unmapped, 'bad', info)).toThrow(
      /unmapped TFLite outputs \[out\]/,
    );
  });
});
