import { type DetectOptions, FaceDetector } from '../../../face/face.ports.js';
import type { Box, DetectedFace, RgbImage } from '../../../face/face.types.js';
import type { SsdDetectorSpec } from '../../../face/model-profile.js';
import type { InferencePool } from '../inference-pool.js';
import type { OutputTensors, TensorData } from '../inference.protocol.js';
import { fitInSquare, landmarkCrop, mapLandmarks, reduceTo5 } from './landmark-geometry.js';
import {
  decodeSsdOutput,
  type Letterbox,
  letterbox,
  type ScoredBox,
  type SsdDecodeOptions,
} from './ssd-postprocess.js';
import { letterboxTensor, writeCropTensor } from './ssd-tensors.js';

/** The input sizes face-api's SSD MobileNet v1 and 68-point landmark net were built for. */
export const SSD_INPUT_SIZE = 512;
export const LANDMARK_INPUT_SIZE = 112;
const LANDMARK_COUNT = 68;
/** face-api's `maxResults` default; also bounds the landmark batch. */
const MAX_FACES = 100;
/** Share of the detector input the image occupies on the second, zoomed-out pass. */
export const RETRY_FILL = 0.5;

/**
 * face-api's SSD MobileNet v1 detector followed by its 68-point landmark net, run through ONNX
 * Runtime in the inference pool. Pre- and post-processing mirror face-api so that detections
 * and landmarks match what face-api itself reports for the same image.
 */
export class SsdFaceDetector extends FaceDetector {
  constructor(
    private readonly pool: InferencePool,
    private readonly spec: SsdDetectorSpec,
    private readonly paths: { detector: string; landmarks: string },
    readonly modelId: string,
  ) {
    super();
  }

  async detect(image: RgbImage, options: DetectOptions = {}): Promise<DetectedFace[]> {
    const decode: SsdDecodeOptions = {
      minScore: options.minScore ?? this.spec.minScore,
      minFaceSize: options.minFaceSize ?? this.spec.minFaceSize,
      maxResults: MAX_FACES,
    };
    let found = await this.locate(image, letterbox(image.width, image.height, SSD_INPUT_SIZE), decode);
    if (found.length === 0) {
      // The SSD misses faces that fill the whole frame (ID photos, tight crops: ~5 % of LFW at
      // score 0.5); shown the same image at half size amid black it finds most of them.
      found = await this.locate(
        image,
        letterbox(image.width, image.height, SSD_INPUT_SIZE, RETRY_FILL),
        decode,
      );
    }
    found = found.slice(0, options.maxFaces ?? MAX_FACES);

    const faces = found.flatMap(({ box, score }) => {
      const crop = landmarkCrop(box, image.width, image.height);
      return crop ? [{ box, score, crop }] : [];
    });
    if (faces.length === 0) return [];
    const landmarks = await this.landmarks(
      image,
      faces.map((f) => f.crop),
    );
    return faces.map(({ box, score }, i) => {
      const points = landmarks[i]!;
      return { box, score, landmarks: points, landmarks5: reduceTo5(points) };
    });
  }

  private async locate(
    image: RgbImage,
    geometry: Letterbox,
    options: SsdDecodeOptions,
  ): Promise<ScoredBox[]> {
    const input = await letterboxTensor(image, geometry);
    const outputs = await this.pool.run(this.paths.detector, {
      input: { data: input, dims: [1, SSD_INPUT_SIZE, SSD_INPUT_SIZE, 3] },
    });
    return decodeSsdOutput(output(outputs, 'boxes').data, output(outputs, 'scores').data, geometry, options);
  }

  /** One batched landmark run for all faces: each crop padded to a square as face-api does. */
  private async landmarks(image: RgbImage, crops: Box[]) {
    const size = LANDMARK_INPUT_SIZE;
    const fits = crops.map((c) => fitInSquare(c.width, c.height, size));
    const batch = new Uint8Array(crops.length * size * size * 3);
    await Promise.all(crops.map((crop, i) => writeCropTensor(image, crop, fits[i]!, batch, i)));
    const outputs = await this.pool.run(this.paths.landmarks, {
      input: { data: batch, dims: [crops.length, size, size, 3] },
    });
    const points = output(outputs, 'landmarks');
    const perFace = points.data.length / crops.length;
    if (perFace !== LANDMARK_COUNT * 2) {
      throw new Error(`Landmark model returned ${perFace} values per face; expected ${LANDMARK_COUNT * 2}`);
    }
    return crops.map((crop, i) => mapLandmarks(points.data, i * perFace, crop, fits[i]!));
  }
}

export function output(outputs: OutputTensors, name: string): TensorData<Float32Array> {
  const tensor = outputs[name];
  if (!tensor)
    throw new Error(`The model returned no '${name}' output (got ${Object.keys(outputs).join(', ')})`);
  return tensor;
}
