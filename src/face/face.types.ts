/**
 * Domain types of the face pipeline. These — never tensors, never database rows — cross the
 * ports between the detection/embedding modules and their inference adapters.
 */

export interface Point {
  x: number;
  y: number;
}

/** Axis-aligned box in pixels of the (EXIF-rotated) source image. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A decoded image: tightly packed 8-bit RGB, row-major, orientation already applied. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** What intake knows about an uploaded image besides its pixels. */
export interface DecodedImage extends RgbImage {
  format: string;
  sha256: string;
  byteLength: number;
}

export interface DetectedFace {
  box: Box;
  /** Detector confidence in [0, 1]. */
  score: number;
  /** The detector's own landmarks in source-image pixels (five for MTCNN, the 68 iBUG points for the SSD profile). */
  landmarks: Point[];
  /** Left eye centre, right eye centre, nose tip, left mouth corner, right mouth corner (image left/right). */
  landmarks5: Point[];
}

export interface FaceQuality {
  detectionScore: number;
  /** Shorter side of the face box, in pixels. */
  faceSize: number;
  /** Variance of the Laplacian on the face, scaled to a fixed size; higher is sharper. */
  sharpness: number;
  /** Mean luma of the face, 0–255. */
  brightness: number;
  /** Rough head yaw in degrees from the five landmarks (negative: facing image left). */
  yaw: number;
  /** In-plane rotation of the eye line in degrees. */
  roll: number;
}

/** An aligned face chip ready for the embedder (square, RGB). */
export type FaceChip = RgbImage;

/** A small JPEG of the face with some context, kept so a gallery can be re-embedded later. */
export interface FaceCrop {
  jpeg: Uint8Array;
  width: number;
  height: number;
}

/** A detected face with its quality measures (aligned, not yet embedded). */
export interface AssessedFace extends DetectedFace {
  quality: FaceQuality;
}

export interface EmbeddedFace extends AssessedFace {
  /** L2-normalised embedding. */
  embedding: Float32Array;
}

/** An embedded face with the crop that is stored with it. */
export interface CroppedFace extends EmbeddedFace {
  crop: FaceCrop | null;
}

/** What the pipeline reports about the uploaded image itself. */
export interface ImageInfo {
  width: number;
  height: number;
  format: string;
  sha256: string;
}
