import { InferenceSession, Tensor } from 'onnxruntime-node';

import { readPinnedTflite } from './convert-tflite.js';
import type { TfliteModelSpec } from './specs.js';
import { runTfliteReference, type RefTensor } from './tflite-reference.js';

/**
 * Seeded test inputs per network: odd, non-square sizes for P-Net (a swapped width/height or a
 * wrong SAME padding side shows up), and batches > 2 (the files were exported with batch 1 or 2).
 */
const PARITY_INPUT: Record<TfliteModelSpec['name'], number[]> = {
  mtcnn_pnet: [2, 41, 57, 3],
  mtcnn_rnet: [3, 24, 24, 3],
  mtcnn_onet: [3, 48, 48, 3],
  mobilefacenet: [3, 112, 112, 3],
};

/**
 * Runs the converted `onnx` in onnxruntime-node (one thread) and the float64 reference interpreter
 * on the original TFLite graph, on the same seeded random input, and returns the largest absolute
 * difference per ONNX output. The reference sees what the file expects (normalised values, width
 * and height swapped for the MTCNN nets); the ONNX graph sees what callers feed.
 */
export async function checkTfliteParity(
  spec: TfliteModelSpec,
  packageDir: string,
  onnx: Uint8Array,
  seed = 1,
): Promise<{ output: string; maxAbsDiff: number }[]> {
  const { model } = await readPinnedTflite(spec, packageDir);
  const shape = PARITY_INPUT[spec.name];
  const input = randomInput(shape, seed, spec.normalisationInGraph !== undefined);

  const session = await InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const results = await session.run({ input: new Tensor('float32', input, shape) });
  await session.release();

  let fileInput: RefTensor = { shape, data: Float64Array.from(input) };
  const n = spec.normalisationInGraph;
  if (n) fileInput = { shape, data: fileInput.data.map((v) => (v - n.subtract) / n.divide) };
  if (spec.transposedImage) fileInput = swapHeightWidth(fileInput);
  const reference = runTfliteReference(model, fileInput);

  return spec.outputs.map(({ name }) => {
    const actual = results[name];
    let expected = reference.get(spec.tfliteOutputs[name] ?? '');
    if (!actual || !expected) throw new Error(`${spec.name}: output ${name} is missing`);
    if (spec.transposedImage && expected.shape.length === 4) expected = swapHeightWidth(expected);
    if (actual.dims.join() !== expected.shape.join()) {
      throw new Error(
        `${spec.name}/${name}: ONNX gives [${actual.dims.join()}], the reference [${expected.shape.join()}]`,
      );
    }
    const data = actual.data as Float32Array;
    let maxAbsDiff = 0;
    for (let i = 0; i < data.length; i++)
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(data[i]! - expected.data[i]!));
    return { output: name, maxAbsDiff };
  });
}

/** [N, A, B, C] → [N, B, A, C]. */
export function swapHeightWidth({ shape, data }: RefTensor): RefTensor {
  const [n, a, b, c] = shape as [number, number, number, number];
  const out = new Float64Array(data.length);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < a; y++)
      for (let x = 0; x < b; x++)
        for (let k = 0; k < c; k++) out[((i * b + x) * a + y) * c + k] = data[((i * a + y) * b + x) * c + k]!;
  return { shape: [n, b, a, c], data: out };
}

/** Whole pixel values 0..255 for graphs that normalise, else values in [-1, 1). */
function randomInput(shape: number[], seed: number, pixels: boolean): Float32Array {
  const next = mulberry32(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: size }, () => (pixels ? Math.floor(next() * 256) : next() * 2 - 1));
}

/** A small, seedable PRNG (deterministic parity runs; Math.random cannot be seeded). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
