import type { DetectedFace, FaceChip, RgbImage } from './face.types.js';

export interface DetectOptions {
  /** Detector confidence below which a box is dropped (default: config `DETECTION_MIN_SCORE`). */
  minScore?: number;
  /** Shorter box side in pixels below which a face is dropped (default: `DETECTION_MIN_FACE_SIZE`). */
  minFaceSize?: number;
  /** Keep only the largest N faces; the rest are not landmarked (saves work when one face is wanted). */
  maxFaces?: number;
}

/**
 * Finds faces and their landmarks. Implementations must be safe to call concurrently and must
 * keep heavy work off the event loop. Results are sorted largest face first.
 */
export abstract class FaceDetector {
  abstract readonly modelId: string;
  abstract detect(image: RgbImage, options?: DetectOptions): Promise<DetectedFace[]>;
}

/** Turns aligned chips into L2-normalised vectors, batching them in one inference run. */
export abstract class FaceEmbedder {
  /** Identifies the model; vectors of different models are never compared. */
  abstract readonly modelId: string;
  abstract readonly dimension: number;
  /** Side of the square chip the model expects (150 for the dlib ResNet). */
  abstract readonly chipSize: number;
  /**
   * The cosine distance below which two of this model's vectors are taken for the same person,
   * as calibrated for the model (models/manifest.json); undefined for an uncalibrated model.
   */
  abstract readonly calibratedThreshold: number | undefined;
  abstract embed(chips: FaceChip[]): Promise<Float32Array[]>;
}
