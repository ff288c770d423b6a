import * as ort from 'onnxruntime-node';
import {
  decodeSsdOutput,
  type Letterbox,
  letterbox,
  type ScoredBox,
} from '../../src/detection/detection-postprocess.js';
import type { RgbImage } from '../../src/face/face.types.js';
import { letterboxTensor } from '../../src/infra/inference/image-tensors.js';

/**
 * Box detectors run in-process through ONNX Runtime with the inference worker's session options,
 * so different models and input sizes are timed under identical conditions. Both face-api
 * graphs decode their boxes in-graph into the same (ymin, xmin, ymax, xmax) + score layout, so
 * the production post-processing (`decodeSsdOutput`: score filter, NMS, clamp, minimum size)
 * applies to both.
 */
export interface RawDetections {
  boxes: Float32Array;
  scores: Float32Array;
  geometry: Letterbox;
  /** Letterboxing plus the ONNX run, in milliseconds. */
  ms: number;
}

export interface BoxDetector {
  name: string;
  inputSize: number;
  /** NMS IoU threshold (face-api: 0.5 for the SSD, 0.4 for the tiny detector). */
  iouThreshold: number;
  infer(image: RgbImage): Promise<RawDetections>;
  /** The production post-processing; crowd images keep up to 2,000 boxes (the service caps at 100 later). */
  decode(raw: RawDetections, minScore: number, minFaceSize: number): ScoredBox[];
  close(): Promise<void>;
}

export async function createBoxDetector(options: {
  name: string;
  modelPath: string;
  inputSize: number;
  iouThreshold: number;
  threads: number;
  /** Share of the input the image's longer side fills (below 1: shrunk and centred amid black). */
  fill?: number;
}): Promise<BoxDetector> {
  const session = await ort.InferenceSession.create(options.modelPath, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
  });
  const size = options.inputSize;
  const dims = [1, size, size, 3];
  // Warm-up, as the inference worker does: the first run allocates.
  await session.run({ input: new ort.Tensor('float32', new Float32Array(size * size * 3), dims) });
  return {
    name: options.name,
    inputSize: size,
    iouThreshold: options.iouThreshold,
    async infer(image) {
      const t0 = process.hrtime.bigint();
      const geometry = letterbox(image.width, image.height, size, options.fill ?? 1);
      // The production builder returns bytes (the inference worker widens them); ORT wants floats.
      const input = Float32Array.from(await letterboxTensor(image, geometry));
      const out = await session.run({ input: new ort.Tensor('float32', input, dims) });
      const boxes = out.boxes?.data as Float32Array | undefined;
      const scores = out.scores?.data as Float32Array | undefined;
      if (!boxes || !scores) throw new Error(`${options.name}: the model returned no boxes/scores`);
      return { boxes, scores, geometry, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    },
    decode(raw, minScore, minFaceSize) {
      return decodeSsdOutput(raw.boxes, raw.scores, raw.geometry, {
        minScore,
        minFaceSize,
        iouThreshold: options.iouThreshold,
        maxResults: 2000,
      });
    },
    close: () => session.release(),
  };
}
