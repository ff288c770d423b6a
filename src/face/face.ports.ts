import type { DetectedFace, RgbImage } from './face.types.js';
import type { EmbeddingSpace, ModelProfile } from './model-profile.js';

export interface DetectOptions {
  /** Detector confidence below which a face is dropped (default: the profile's). */
  minScore?: number;
  /** Shorter box side in pixels below which a face is dropped (default: the profile's). */
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

/**
 * Turns faces into L2-normalised vectors. The embedder cuts its own chips from the image and the
 * landmarks its profile names, so callers pass detections, never chip sizes.
 */
export abstract class FaceEmbedder {
  /** Identifies the vectors; vectors of different spaces are never compared. */
  abstract readonly space: EmbeddingSpace;
  abstract embed(image: RgbImage, faces: DetectedFace[]): Promise<Float32Array[]>;
}

/** One profile's detector and embedder, ready to run. */
export interface ProfileModels {
  profile: ModelProfile;
  detector: FaceDetector;
  embedder: FaceEmbedder;
}

/**
 * The installed model profiles. `load` verifies and starts a profile's models (idempotent);
 * `models` hands out one that is loaded.
 */
export abstract class FaceModels {
  /** The profile `FACE_PROFILE` selects. */
  abstract readonly activeName: string;
  abstract names(): string[];
  abstract load(name: string): Promise<ProfileModels>;
  abstract models(name: string): ProfileModels;
  /** The profile whose vectors are stored under `spaceKey`, if this installation has it. */
  abstract findBySpace(spaceKey: string): Promise<string | undefined>;
  abstract isReady(): boolean;
}
