import path from 'node:path';
import type { ProfileModels } from '../../src/face/face.ports.js';
import type { DetectedFace, FaceChip, RgbImage } from '../../src/face/face.types.js';
import { chipsTensor } from '../../src/infra/inference/embedder/chips-tensor.js';
import { mirror, OnnxFaceEmbedder } from '../../src/infra/inference/embedder/onnx-face-embedder.js';
import type { InferencePool } from '../../src/infra/inference/inference-pool.js';

/** MAX_BATCH of OnnxFaceEmbedder: one worker task holds at most this many chips. */
const MAX_BATCH = 32;

/** One face's vectors with and without the mirrored chip, both L2-normalised. */
export interface FlipVectors {
  /** The chip alone (what a profile with `flip: false` stores). */
  plain: Float32Array;
  /** The chip's and the mirrored chip's raw outputs averaged, then normalised (`flip: true`). */
  flipped: Float32Array;
}

/**
 * The profile's embedder, opened up for the flip comparison of bench:lfw: the chip is cut by the
 * production `OnnxFaceEmbedder.cutChip`, and the chip and its mirror go through the same model
 * run the embedder makes (same file in the same worker pool, same input preparation) — but the
 * raw, unnormalised outputs come back, so that both variants are computed from one run exactly
 * as `OnnxFaceEmbedder.embedChips` computes them (it averages raw outputs before normalising).
 */
export class ChipVectors {
  private readonly embedder: OnnxFaceEmbedder;
  private readonly modelPath: string;

  constructor(
    private readonly pool: InferencePool,
    private readonly models: ProfileModels,
    modelsDir: string,
  ) {
    if (!(models.embedder instanceof OnnxFaceEmbedder)) {
      throw new Error(`profile '${models.profile.name}': the embedder is not an OnnxFaceEmbedder`);
    }
    this.embedder = models.embedder;
    // As ProfileCatalog resolves it: the pool addresses models by absolute path.
    this.modelPath = path.resolve(modelsDir, models.profile.embedder.model);
  }

  cutChip(image: RgbImage, face: DetectedFace): Promise<FaceChip> {
    return this.embedder.cutChip(image, face);
  }

  /** Both variants for one face (two chips in one model run). */
  async forFace(image: RgbImage, face: DetectedFace): Promise<FlipVectors> {
    const chip = await this.cutChip(image, face);
    const [raw, rawMirror] = await this.raw([chip, mirror(chip)]);
    return { plain: unit(Float32Array.from(raw!)), flipped: unit(sum(raw!, rawMirror!)) };
  }

  /** Raw model outputs for already cut chips, in order. */
  async raw(chips: FaceChip[]): Promise<Float32Array[]> {
    const { embedder, chip } = this.models.profile;
    const batch = embedder.fixedBatch ?? MAX_BATCH;
    const runs: Array<Promise<Float32Array[]>> = [];
    for (let i = 0; i < chips.length; i += batch) {
      runs.push(this.run(chips.slice(i, i + batch), embedder.fixedBatch ? batch : undefined, chip.size));
    }
    return (await Promise.all(runs)).flat();
  }

  private async run(
    chips: FaceChip[],
    fixedBatch: number | undefined,
    size: number,
  ): Promise<Float32Array[]> {
    const { input, output, dimension } = this.models.profile.embedder;
    const rows = fixedBatch ?? chips.length;
    const { layout, channels, mean, std } = input;
    const outputs = await this.pool.run(
      this.modelPath,
      { [input.name]: { data: chipsTensor(chips, size, rows), dims: [rows, size, size, 3] } },
      { layout, channels, mean, std },
    );
    const result = outputs[output];
    if (!result || result.data.length !== rows * dimension) {
      throw new Error(
        `the embedder of '${this.models.profile.name}' returned no ${dimension}-D '${output}' output`,
      );
    }
    return chips.map((_, i) => result.data.slice(i * dimension, (i + 1) * dimension));
  }
}

function sum(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

/** L2-normalises in place. */
export function unit(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

/** Largest absolute difference between two vectors (a parity check against the production embedder). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
