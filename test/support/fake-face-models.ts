import sharp from 'sharp';
import {
  type DetectOptions,
  FaceDetector,
  FaceEmbedder,
  FaceModels,
  type ProfileModels,
} from '../../src/face/face.ports.js';
import type { DetectedFace, Point, RgbImage } from '../../src/face/face.types.js';
import type { EmbeddingSpace, MatchingSpec, ModelProfile } from '../../src/face/model-profile.js';

/**
 * Fake inference for service-level tests: images whose pixels carry a number (the "seed"), a
 * detector that finds one frontal face covering the whole image, and an embedder that answers
 * the vector the test registered for the seed. No ONNX model is loaded.
 */

/** The calibrated rule of the fake profiles: 1:N 0.4 with a 0.05 margin, 1:1 0.5, enrolment 0.25. */
export const FAKE_MATCHING: MatchingSpec = {
  threshold: 0.4,
  margin: 0.05,
  verifyThreshold: 0.5,
  enrolmentThreshold: 0.25,
  calibration: 'test values',
};

/** A complete (if fictional) model profile: every field the service may read is present. */
export function fakeProfile(
  name: string,
  dimension: number,
  matching: MatchingSpec = FAKE_MATCHING,
): ModelProfile {
  return {
    name,
    description: `Fake profile ${name} for service tests`,
    detector: { family: 'ssd', model: 'none.onnx', landmarks: 'none.onnx', minScore: 0.5, minFaceSize: 20 },
    embedder: {
      model: 'none.onnx',
      input: { name: 'data', layout: 'NCHW', channels: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] },
      output: 'fc1',
      dimension,
    },
    chip: { size: 112, alignment: 'dlib-68', padding: 0.25 },
    flip: false,
    matching,
    licence: { summary: 'test only', commercialUse: true },
    sources: [],
  };
}

/** Side of the generated images, in pixels. */
export const SEED_IMAGE_SIZE = 160;
/** The top-left block that carries the seed. */
const SEED_BLOCK = 40;
/** Seeds are 0..255: the low nibble in red, the high one in green, 16 levels apart (survives JPEG). */
export const MAX_SEED = 255;

function seedColour(seed: number): { r: number; g: number; b: number } {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) throw new RangeError(`Bad seed ${seed}`);
  return { r: (seed & 0xf) * 16 + 8, g: (seed >> 4) * 16 + 8, b: 128 };
}

/**
 * A PNG that the fake embedder reads as `seed`: the seed's colour in the top-left block, and a
 * fine checkerboard elsewhere so the face is sharp enough for the enrolment quality gate.
 */
export async function seedImage(seed: number, size = SEED_IMAGE_SIZE): Promise<Buffer> {
  const { r, g, b } = seedColour(seed);
  const data = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      if (x < SEED_BLOCK && y < SEED_BLOCK) {
        data[i] = r;
        data[i + 1] = g;
        data[i + 2] = b;
      } else {
        const v = ((x >> 2) + (y >> 2)) % 2 ? 200 : 60;
        data.fill(v, i, i + 3);
      }
    }
  }
  return sharp(data, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

/** The seed an image carries (mean of the block's interior, so a re-encoded JPEG crop still reads). */
export function readSeed(image: RgbImage): number {
  // The block scales with the image (a stored crop may have been shrunk).
  const block = Math.max(4, Math.floor((SEED_BLOCK * Math.min(image.width, image.height)) / SEED_IMAGE_SIZE));
  const from = Math.floor(block / 4);
  const to = Math.ceil((block * 3) / 4);
  let r = 0;
  let g = 0;
  let n = 0;
  for (let y = from; y < to; y++) {
    for (let x = from; x < to; x++) {
      const i = (y * image.width + x) * 3;
      r += image.data[i]!;
      g += image.data[i + 1]!;
      n++;
    }
  }
  const level = (mean: number) => Math.min(15, Math.max(0, Math.round((mean - 8) / 16)));
  return level(r / n) + 16 * level(g / n);
}

/** One frontal face covering the image: eyes level, nose midway between them (yaw 0). */
export function wholeImageFace(width: number, height: number): DetectedFace {
  const p = (fx: number, fy: number): Point => ({ x: width * fx, y: height * fy });
  const landmarks5 = [p(0.35, 0.4), p(0.65, 0.4), p(0.5, 0.55), p(0.38, 0.75), p(0.62, 0.75)];
  return { box: { x: 0, y: 0, width, height }, score: 0.99, landmarks: landmarks5, landmarks5 };
}

export class WholeImageDetector extends FaceDetector {
  readonly modelId = 'fake-whole-image-detector';
  calls = 0;

  async detect(image: RgbImage, _options?: DetectOptions): Promise<DetectedFace[]> {
    this.calls++;
    return [wholeImageFace(image.width, image.height)];
  }
}

/** Answers, for each face, the vector registered for the seed its image carries. */
export class SeededEmbedder extends FaceEmbedder {
  private readonly vectors = new Map<number, Float32Array>();
  calls = 0;

  constructor(readonly space: EmbeddingSpace) {
    super();
  }

  /** Registers the vector of `seed` (normalised here; it must have the space's dimension). */
  define(seed: number, vector: readonly number[]): this {
    if (vector.length !== this.space.dimension)
      throw new RangeError(`${vector.length}-D vector for a ${this.space.dimension}-D space`);
    seedColour(seed);
    const norm = Math.hypot(...vector);
    this.vectors.set(
      seed,
      Float32Array.from(vector, (x) => x / norm),
    );
    return this;
  }

  async embed(image: RgbImage, faces: DetectedFace[]): Promise<Float32Array[]> {
    this.calls++;
    const seed = readSeed(image);
    const vector = this.vectors.get(seed);
    if (!vector) throw new Error(`The test registered no ${this.space.key} vector for seed ${seed}`);
    return faces.map(() => Float32Array.from(vector));
  }
}

export interface FakeProfile extends ProfileModels {
  detector: WholeImageDetector;
  embedder: SeededEmbedder;
}

export function fakeProfileModels(name: string, space: EmbeddingSpace, matching?: MatchingSpec): FakeProfile {
  return {
    profile: fakeProfile(name, space.dimension, matching),
    detector: new WholeImageDetector(),
    embedder: new SeededEmbedder(space),
  };
}

/** The `FaceModels` port over fake profiles; `activeName` plays FACE_PROFILE. */
export class FakeFaceModels extends FaceModels {
  readonly loaded = new Set<string>();

  constructor(
    readonly activeName: string,
    private readonly profiles: Record<string, FakeProfile>,
  ) {
    super();
    if (!profiles[activeName]) throw new Error(`No fake profile ${activeName}`);
  }

  names(): string[] {
    return Object.keys(this.profiles);
  }

  async load(name: string): Promise<FakeProfile> {
    this.loaded.add(name);
    return this.models(name);
  }

  models(name: string): FakeProfile {
    const profile = this.profiles[name];
    if (!profile) throw new Error(`No fake profile ${name}`);
    return profile;
  }

  async findBySpace(spaceKey: string): Promise<string | undefined> {
    return Object.entries(this.profiles).find(([, p]) => p.embedder.space.key === spaceKey)?.[0];
  }

  isReady(): boolean {
    return true;
  }
}

/**
 * Unit vectors at chosen cosine distances from `e0` (the first axis): `awayFrom(d, axis)` lies at
 * distance `d` from e0, tilted towards `axis`. Two such vectors tilted towards different axes are
 * `1 − (1 − d1)(1 − d2)` apart.
 */
export function axis(dimension: number, index: number): number[] {
  return Array.from({ length: dimension }, (_, i) => (i === index ? 1 : 0));
}

export function awayFrom(dimension: number, distance: number, towards: number): number[] {
  const c = 1 - distance;
  const s = Math.sqrt(Math.max(0, 1 - c * c));
  return Array.from({ length: dimension }, (_, i) => (i === 0 ? c : i === towards ? s : 0));
}
