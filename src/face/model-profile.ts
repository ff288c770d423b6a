/**
 * A model profile: every fact about one face pipeline — which detector, which embedder, how a
 * chip is cut and fed, what the vectors look like and where a match starts — as data. Profiles
 * are written into `models/manifest.json` by the converter (`npm run models`) and may be added in
 * `models/profiles.json` by a deployment; `FACE_PROFILE` selects one. Nothing outside a profile
 * hard-codes a chip size, a landmark count, a dimension or a threshold.
 */

/** MTCNN (P-Net over an image pyramid, R-Net, O-Net with five landmarks). */
export interface MtcnnDetectorSpec {
  family: 'mtcnn';
  models: { pnet: string; rnet: string; onet: string };
  /** Minimum face probability after P-Net, R-Net and O-Net. */
  thresholds: [number, number, number];
  /** Pyramid step: each level is this much smaller than the previous one. */
  scaleFactor: number;
  /**
   * Smallest face searched for, in pixels of the image the cascade sees (after `maxImageSide`):
   * in a 4000-pixel-wide photo shrunk to 1024 that is a face of 20 × 4000 / 1024 ≈ 78 pixels.
   */
  minFaceSize: number;
  /**
   * Images are shrunk until their longer side is at most this many pixels before the pyramid is
   * built, so that a 40-megapixel upload costs what a large photo costs.
   */
  maxImageSide: number;
}

/** face-api's SSD MobileNet v1 followed by a separate 68-point landmark net. */
export interface SsdDetectorSpec {
  family: 'ssd';
  model: string;
  landmarks: string;
  /** Minimum detector confidence. */
  minScore: number;
  /** Smallest face kept, in pixels. */
  minFaceSize: number;
}

export type DetectorSpec = MtcnnDetectorSpec | SsdDetectorSpec;

/** How the embedder wants its input tensor: the service normalises and lays out the chip. */
export interface EmbedderInputSpec {
  /** Graph input name. */
  name: string;
  layout: 'NHWC' | 'NCHW';
  channels: 'RGB' | 'BGR';
  /** value = (pixel − mean) / std per channel, pixels 0..255 in `channels` order. */
  mean: [number, number, number];
  std: [number, number, number];
}

export interface EmbedderSpec {
  /** File name in `MODELS_DIR`, or an absolute path. */
  model: string;
  /** When given, the file must have this hash (checked at boot). */
  sha256?: string;
  input: EmbedderInputSpec;
  /** Graph output holding the vectors (not necessarily normalised: the service L2-normalises). */
  output: string;
  dimension: number;
  /** A model exported with a fixed batch size takes chips this many at a time; omit for dynamic. */
  fixedBatch?: number;
}

/**
 * Where the face goes in the square chip. `five-point`: a least-squares similarity warp of the
 * detector's five points (eyes, nose tip, mouth corners) onto `template`, given in chip pixels
 * (the ArcFace template for 112×112 chips). `dlib-68`: dlib's `get_face_chip_details` from the 68
 * iBUG points, with dlib's padding.
 */
export type ChipSpec =
  | { size: number; alignment: 'five-point'; template: Array<[number, number]> }
  | { size: number; alignment: 'dlib-68'; padding: number };

export interface MatchingSpec {
  /** 1:N (recognise_user, identify): the cosine distance at or below which the nearest user matches. */
  threshold: number;
  /** 1:N: how much closer than the runner-up the nearest user must be. */
  margin: number;
  /** 1:1 (verify): the distance at or below which two faces are the same person; default `threshold`. */
  verifyThreshold?: number;
  /** Enrolment refuses a face this close to another user; default `threshold`. */
  enrolmentThreshold?: number;
  /** Where the figures come from, for the docs. */
  calibration?: string;
}

export interface LicenceSpec {
  /** One line, shown in the boot log and the API. */
  summary: string;
  /** False when the weights may only be used for non-commercial purposes. */
  commercialUse: boolean;
  notes?: string;
}

export interface SourceFileSpec {
  path: string;
  sha256: string;
}

export interface SourceSpec {
  package: string;
  version: string;
  licence: string;
  files: SourceFileSpec[];
}

export interface ModelProfile {
  name: string;
  description: string;
  detector: DetectorSpec;
  embedder: EmbedderSpec;
  chip: ChipSpec;
  /** Embed the mirrored chip too and average both vectors. */
  flip: boolean;
  matching: MatchingSpec;
  licence: LicenceSpec;
  sources: SourceSpec[];
}

/**
 * Identifies the space a profile's vectors live in; stored with every vector. Vectors of two
 * spaces are never compared: a different embedder (or the same one fed differently) is a
 * different space even at the same dimension.
 */
export interface EmbeddingSpace {
  key: string;
  dimension: number;
}
