import { Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { iou, prominence } from '../face/box.js';
import { NoFaceDetectedError } from '../face/face.errors.js';
import type { DetectOptions, ProfileModels } from '../face/face.ports.js';
import type {
  AssessedFace,
  Box,
  CroppedFace,
  DecodedImage,
  DetectedFace,
  ImageInfo,
  RgbImage,
} from '../face/face.types.js';
import { assessQuality } from './face-quality.js';
import { qualityPatch, storedCrop } from './face-regions.js';
import { ImageIntakeService } from './image-intake.service.js';

export interface AnalyzeOptions extends DetectOptions {
  /** Also cut the JPEG crop that is stored with an enrolled or cached face. */
  crops?: boolean;
}

export interface FaceDetectionResult {
  image: ImageInfo;
  faces: AssessedFace[];
}

export interface FaceAnalysisResult {
  image: ImageInfo;
  faces: CroppedFace[];
}

/**
 * The face pipeline end to end, for one model profile: decode → detect (boxes and landmarks) →
 * quality → embed (the embedder cuts its own aligned chips) → crop. Every face of an image is
 * embedded in one batch. Faces are ordered main face first (see `prominence`); an image without
 * faces gives an empty list — callers that need one use `mainFace`, which raises the API's "Face
 * not detected".
 */
@Injectable()
export class FaceAnalysisService {
  constructor(
    private readonly intake: ImageIntakeService,
    private readonly config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  decode(bytes: Uint8Array): Promise<DecodedImage> {
    return this.intake.decode(bytes);
  }

  /** Decodes an upload and runs `use` on it, holding its share of the decoding budget meanwhile. */
  withImage<T>(bytes: Uint8Array, use: (image: DecodedImage) => Promise<T>): Promise<T> {
    return this.intake.withImage(bytes, use);
  }

  /** Faces with landmarks and quality, without embeddings. */
  detect(
    bytes: Uint8Array,
    models: ProfileModels,
    options: DetectOptions = {},
  ): Promise<FaceDetectionResult> {
    return this.intake.withImage(bytes, async (image) => {
      const detected = await this.detectFaces(models, image, options);
      return { image: imageInfo(image), faces: await this.assess(image, detected) };
    });
  }

  analyze(
    bytes: Uint8Array,
    models: ProfileModels,
    options: AnalyzeOptions = {},
  ): Promise<FaceAnalysisResult> {
    return this.intake.withImage(bytes, (image) => this.analyzeDecoded(image, models, options));
  }

  async analyzeDecoded(
    image: DecodedImage,
    models: ProfileModels,
    options: AnalyzeOptions = {},
  ): Promise<FaceAnalysisResult> {
    const detected = await this.detectFaces(models, image, options);
    const [faces, embeddings, crops] = await Promise.all([
      this.assess(image, detected),
      this.embedFaces(models, image, detected),
      Promise.all(detected.map((f) => (options.crops ? storedCrop(image, f.box, this.config.crops) : null))),
    ]);
    return {
      image: imageInfo(image),
      faces: faces.map((face, i) => ({ ...face, embedding: embeddings[i]!, crop: crops[i] ?? null })),
    };
  }

  /**
   * The vector `models` gives the face at `box` of `image` (the face its detector finds with the
   * largest overlap), or null when it finds none there. Used to give a face found by one profile
   * a vector of another: a detector's boxes and landmarks belong to its own profile's chip.
   */
  async embedAt(image: RgbImage, box: Box, models: ProfileModels): Promise<Float32Array | null> {
    const detected = await this.detectFaces(models, image);
    let best: DetectedFace | undefined;
    let bestOverlap = 0.3; // below this IoU the detector found a different face
    for (const face of detected) {
      const overlap = iou(face.box, box);
      if (overlap > bestOverlap) [best, bestOverlap] = [face, overlap];
    }
    if (!best) return null;
    const [vector] = await this.embedFaces(models, image, [best]);
    return vector ?? null;
  }

  /**
   * The vector `models` gives the largest face of a stored crop (see `storedCrop`: the face with
   * context around it), or null when it finds no face there — how a gallery is re-embedded.
   */
  embedCrop(jpeg: Uint8Array, models: ProfileModels): Promise<Float32Array | null> {
    return this.intake.withImage(jpeg, async (image) => {
      const [face] = await this.detectFaces(models, image, { maxFaces: 1 });
      if (!face) return null;
      const [vector] = await this.embedFaces(models, image, [face]);
      return vector ?? null;
    });
  }

  /** The detector's faces, main face first. */
  private async detectFaces(
    models: ProfileModels,
    image: RgbImage,
    options?: DetectOptions,
  ): Promise<DetectedFace[]> {
    const work = () => models.detector.detect(image, options);
    const faces = await (this.metrics ? this.metrics.timeStage(models.profile.name, 'detect', work) : work());
    return byProminence(faces, image);
  }

  private embedFaces(models: ProfileModels, image: RgbImage, faces: DetectedFace[]): Promise<Float32Array[]> {
    const work = () => models.embedder.embed(image, faces);
    return this.metrics ? this.metrics.timeStage(models.profile.name, 'embed', work) : work();
  }

  private assess(image: RgbImage, faces: DetectedFace[]): Promise<AssessedFace[]> {
    return Promise.all(
      faces.map(async (face) => ({
        ...face,
        quality: assessQuality(face, await qualityPatch(image, face.box)),
      })),
    );
  }
}

/** Faces ordered main face first: most prominent in the image (see `prominence`). */
export function byProminence<T extends Pick<DetectedFace, 'box'>>(
  faces: readonly T[],
  image: { width: number; height: number },
): T[] {
  const value = (face: T) => prominence(face.box, image.width, image.height);
  return [...faces].sort((a, b) => value(b) - value(a));
}

/**
 * The face an endpoint works on when an image holds several: the most prominent one (see
 * `prominence`); no face at all is the API's 601 error.
 */
export function mainFace<T extends Pick<DetectedFace, 'box'>>(
  faces: readonly T[],
  image: { width: number; height: number },
): T {
  const [main] = byProminence(faces, image);
  if (!main) throw new NoFaceDetectedError();
  return main;
}

/** The face with the largest box (the benchmarks' baseline; the service uses `mainFace`). */
export function largestFace<T extends Pick<DetectedFace, 'box'>>(faces: readonly T[]): T {
  let best: T | undefined;
  for (const face of faces) {
    if (!best || face.box.width * face.box.height > best.box.width * best.box.height) best = face;
  }
  if (!best) throw new NoFaceDetectedError();
  return best;
}

function imageInfo(image: DecodedImage): ImageInfo {
  return { width: image.width, height: image.height, format: image.format, sha256: image.sha256 };
}
