import { FaceEmbedder } from '../../../face/face.ports.js';
import type { DetectedFace, FaceChip, RgbImage } from '../../../face/face.types.js';
import type { EmbeddingSpace, ModelProfile } from '../../../face/model-profile.js';
import { chipTransform } from '../alignment/chip-transform.js';
import { alignFace } from '../alignment/face-aligner.js';
import { chipsTensor } from './chips-tensor.js';
import type { InferencePool } from '../inference-pool.js';
import type { InputPreparation } from '../inference.protocol.js';

/** Bounds one inference run's memory (32 chips of 112 px ≈ 1.2 MB of input); larger sets run in parallel. */
const MAX_BATCH = 32;

/**
 * Any ONNX face embedder a profile describes: cuts each face's chip from the landmarks the
 * profile's alignment names, optionally adds the mirrored chip, and has the worker normalise and
 * lay out the batch as the profile's input spec says. Returns unit-length vectors, so cosine
 * distance is `1 − dot(a, b)`.
 */
export class OnnxFaceEmbedder extends FaceEmbedder {
  private readonly prepare: InputPreparation;

  constructor(
    private readonly pool: InferencePool,
    private readonly profile: ModelProfile,
    private readonly modelPath: string,
    readonly space: EmbeddingSpace,
  ) {
    super();
    const { layout, channels, mean, std } = profile.embedder.input;
    this.prepare = { layout, channels, mean, std };
  }

  async embed(image: RgbImage, faces: DetectedFace[]): Promise<Float32Array[]> {
    if (faces.length === 0) return [];
    const chips = await Promise.all(faces.map((face) => this.cutChip(image, face)));
    return this.embedChips(chips);
  }

  /** The aligned chip for one face, as the profile cuts it. */
  async cutChip(image: RgbImage, face: DetectedFace): Promise<FaceChip> {
    const { size } = this.profile.chip;
    return (await alignFace(image, chipTransform(this.profile.chip, face), size)).chip;
  }

  /** Embeds already cut chips (the flip is added here when the profile asks for it). */
  async embedChips(chips: FaceChip[]): Promise<Float32Array[]> {
    const inputs = this.profile.flip ? chips.flatMap((chip) => [chip, mirror(chip)]) : chips;
    const batch = this.profile.embedder.fixedBatch ?? MAX_BATCH;
    const runs: Array<Promise<Float32Array[]>> = [];
    for (let i = 0; i < inputs.length; i += batch) runs.push(this.run(inputs.slice(i, i + batch), batch));
    const vectors = (await Promise.all(runs)).flat();
    if (!this.profile.flip) return vectors.map(l2Normalise);
    return chips.map((_, i) => l2Normalise(average(vectors[2 * i]!, vectors[2 * i + 1]!)));
  }

  private async run(chips: FaceChip[], batchSize: number): Promise<Float32Array[]> {
    const { size } = this.profile.chip;
    const { input, output, dimension, fixedBatch } = this.profile.embedder;
    // A model exported with a fixed batch gets its batch filled up with black chips.
    const rows = fixedBatch ? batchSize : chips.length;
    const data = chipsTensor(chips, size, rows);
    const outputs = await this.pool.run(
      this.modelPath,
      { [input.name]: { data, dims: [rows, size, size, 3] } },
      this.prepare,
    );
    const result = outputs[output];
    if (!result) {
      throw new Error(
        `The embedder returned no '${output}' output (got ${Object.keys(outputs).join(', ')}); ` +
          `check embedder.output of profile '${this.profile.name}'`,
      );
    }
    if (result.data.length !== rows * dimension) {
      throw new Error(
        `The embedder returned ${result.data.length / rows} values per face; profile ` +
          `'${this.profile.name}' says embedder.dimension is ${dimension}`,
      );
    }
    return chips.map((_, i) => result.data.slice(i * dimension, (i + 1) * dimension));
  }
}

/** The chip mirrored left to right. */
export function mirror(chip: FaceChip): FaceChip {
  const { width, height, data } = chip;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3;
      const to = (y * width + (width - 1 - x)) * 3;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { data: out, width, height };
}

function average(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i]! + b[i]!) / 2;
  return out;
}

export function l2Normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
  return vector;
}
