import { Injectable } from '@nestjs/common';
import { assessQuality } from '../detection/face-quality.js';
import { ImageIntakeService } from '../detection/image-intake.service.js';
import { NoFaceDetectedError } from '../face/face.errors.js';
import { type DetectOptions, FaceDetector, FaceEmbedder } from '../face/face.ports.js';
import type {
  AssessedFace,
  DecodedImage,
  DetectedFace,
  EmbeddedFace,
  FaceChip,
  ImageInfo,
} from '../face/face.types.js';
import { alignFace } from './face-aligner.js';

export type AnalyzeOptions = DetectOptions;

export interface FaceDetectionResult {
  image: ImageInfo;
  faces: AssessedFace[];
}

export interface FaceAnalysisResult {
  image: ImageInfo;
  faces: EmbeddedFace[];
}

/**
 * The face pipeline end to end: decode → detect (boxes + 68 landmarks) → align (dlib chip) →
 * quality → embed. Every face of an image goes through the embedder in one batch. Faces are
 * ordered largest first; an image without faces gives an empty list — callers that need one
 * use `largestFace`, which raises the API's "Face not detected" error.
 */
@Injectable()
export class FaceAnalysisService {
  constructor(
    private readonly intake: ImageIntakeService,
    private readonly detector: FaceDetector,
    private readonly embedder: FaceEmbedder,
  ) {}

  /** Identifies the vectors this pipeline produces; stored with every embedding. */
  get modelId(): string {
    return this.embedder.modelId;
  }

  /** The embedder's calibrated same-person threshold (cosine distance), when its manifest has one. */
  get calibratedThreshold(): number | undefined {
    return this.embedder.calibratedThreshold;
  }

  /** Faces with landmarks and quality, without embeddings. */
  async detect(bytes: Uint8Array, options: AnalyzeOptions = {}): Promise<FaceDetectionResult> {
    const image = await this.intake.decode(bytes);
    const { faces } = await this.assess(image, options);
    return { image: imageInfo(image), faces };
  }

  async analyze(bytes: Uint8Array, options: AnalyzeOptions = {}): Promise<FaceAnalysisResult> {
    return this.analyzeDecoded(await this.intake.decode(bytes), options);
  }

  async analyzeDecoded(image: DecodedImage, options: AnalyzeOptions = {}): Promise<FaceAnalysisResult> {
    const { faces, chips } = await this.assess(image, options);
    const embeddings = faces.length > 0 ? await this.embedder.embed(chips) : [];
    return {
      image: imageInfo(image),
      faces: faces.map((face, i) => ({ ...face, embedding: embeddings[i]! })),
    };
  }

  private async assess(
    image: DecodedImage,
    options: AnalyzeOptions,
  ): Promise<{ faces: AssessedFace[]; chips: FaceChip[] }> {
    const detected = await this.detector.detect(image, options);
    const chips = await Promise.all(
      detected.map(async (face) => (await alignFace(image, face.landmarks68, this.embedder.chipSize)).chip),
    );
    const faces = detected.map((face, i) => ({ ...face, quality: assessQuality(face, chips[i]!) }));
    return { faces, chips };
  }
}

/** The face with the largest box (faces come sorted, but callers may have filtered or reordered). */
export function largestFace<T extends DetectedFace>(faces: readonly T[]): T {
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
