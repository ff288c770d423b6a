import { Injectable } from '@nestjs/common';
import { FaceEmbedder } from '../../face/face.ports.js';
import type { FaceChip } from '../../face/face.types.js';
import { chipsTensor } from './image-tensors.js';
import { InferencePool } from './inference-pool.js';
import { output } from './onnx-face-detector.js';

/** Bounds one inference run's memory (16 chips ≈ 4 MB of input); larger sets run in parallel batches. */
const MAX_BATCH = 16;

/**
 * dlib's ResNet-34 face descriptor (128-D; dlib's float weights or face-api's 8-bit port) through
 * ONNX Runtime. Expects
 * dlib-style aligned 150×150 chips and returns unit-length vectors, so that cosine distance is
 * `1 − dot(a, b)`.
 */
@Injectable()
export class OnnxFaceEmbedder extends FaceEmbedder {
  readonly dimension = 128;
  readonly chipSize = 150;

  constructor(private readonly pool: InferencePool) {
    super();
  }

  get modelId(): string {
    return this.pool.modelInfo('embedder')?.id ?? 'face_recognition';
  }

  get calibratedThreshold(): number | undefined {
    return this.pool.modelInfo('embedder')?.calibratedThreshold;
  }

  async embed(chips: FaceChip[]): Promise<Float32Array[]> {
    const batches: FaceChip[][] = [];
    for (let i = 0; i < chips.length; i += MAX_BATCH) batches.push(chips.slice(i, i + MAX_BATCH));
    const results = await Promise.all(batches.map((batch) => this.embedBatch(batch)));
    return results.flat();
  }

  private async embedBatch(chips: FaceChip[]): Promise<Float32Array[]> {
    const size = this.chipSize;
    const outputs = await this.pool.run('embedder', {
      input: { data: chipsTensor(chips, size), dims: [chips.length, size, size, 3] },
    });
    const { data } = output(outputs, 'embedding');
    if (data.length !== chips.length * this.dimension) {
      throw new Error(
        `Embedder returned ${data.length} values for ${chips.length} chips of ${this.dimension}`,
      );
    }
    return chips.map((_, i) => l2Normalise(data.slice(i * this.dimension, (i + 1) * this.dimension)));
  }
}

export function l2Normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
  return vector;
}
