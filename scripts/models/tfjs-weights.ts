import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** One entry of a TF.js `*-weights_manifest.json` weight group. */
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'uint8' | 'uint16'; min: number; scale: number };
}

interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface Weight {
  shape: readonly number[];
  data: Float32Array;
}

const QUANTISED_BYTES = { uint8: 1, uint16: 2 } as const;

/** Named float tensors decoded from a TF.js layers-model weight manifest. */
export class WeightMap {
  constructor(private readonly weights: ReadonlyMap<string, Weight>) {}

  /** Returns the tensor, failing loudly when the name or shape differs from what the network expects. */
  get(name: string, shape?: readonly number[]): Weight {
    const weight = this.weights.get(name);
    if (!weight) throw new Error(`weight ${name} is missing`);
    if (shape && shape.join() !== weight.shape.join()) {
      throw new Error(`weight ${name} has shape [${weight.shape.join()}], expected [${shape.join()}]`);
    }
    return weight;
  }
}

/**
 * Reads `<dir>/<model>-weights_manifest.json` and its shards and dequantises every tensor the same
 * way TF.js's `io.decodeWeights` does (`q * scale + min` in double precision, stored as float32),
 * so the converted graph starts from bit-identical weights. `files` lists what was read.
 */
export async function loadTfjsWeights(
  dir: string,
  manifestFile: string,
): Promise<{ weights: WeightMap; files: string[] }> {
  const groups = JSON.parse(await readFile(path.join(dir, manifestFile), 'utf8')) as WeightGroup[];
  const weights = new Map<string, Weight>();
  const files = [manifestFile];
  for (const group of groups) {
    files.push(...group.paths);
    const shards = await Promise.all(group.paths.map((p) => readFile(path.join(dir, p))));
    const buffer = Buffer.concat(shards);
    let offset = 0;
    for (const spec of group.weights) {
      const { data, bytes } = decode(spec, buffer, offset);
      weights.set(spec.name, { shape: spec.shape, data });
      offset += bytes;
    }
    if (offset !== buffer.length) {
      throw new Error(`${manifestFile}: weights cover ${offset} bytes but the shards hold ${buffer.length}`);
    }
  }
  return { weights: new WeightMap(weights), files };
}

function decode(spec: WeightSpec, buffer: Buffer, offset: number): { data: Float32Array; bytes: number } {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  const q = spec.quantization;
  if (q) {
    const width = QUANTISED_BYTES[q.dtype];
    if (!width) throw new Error(`${spec.name}: unsupported quantisation ${q.dtype}`);
    for (let i = 0; i < count; i++) {
      const raw = width === 1 ? buffer.readUInt8(offset + i) : buffer.readUInt16LE(offset + 2 * i);
      const value = raw * q.scale + q.min;
      data[i] = spec.dtype === 'int32' ? Math.round(value) : value;
    }
    return { data, bytes: count * width };
  }
  for (let i = 0; i < count; i++) {
    data[i] =
      spec.dtype === 'int32' ? buffer.readInt32LE(offset + 4 * i) : buffer.readFloatLE(offset + 4 * i);
  }
  return { data, bytes: count * 4 };
}
