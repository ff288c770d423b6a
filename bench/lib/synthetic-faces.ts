import { type GaussianFaceModel, sampleAround } from './embedding-model.js';
import { gaussian, seededRandom } from './random.js';

/**
 * Synthetic face embeddings with the neighbourhood structure of real ones, for search benchmarks
 * at sizes no photo collection here reaches.
 *
 * Real embeddings of one model do not fill the sphere uniformly: they sit in a cone around a
 * common direction (different people are typically 0.3–0.5 apart in cosine distance, not 1), and
 * each person's faces form a tight cluster inside it. So:
 *
 *   identity centre  c = normalise(m + a·g),  m a fixed random unit vector, g ~ N(0, I/D)
 *   face             f = normalise(c + b·h),  h ~ N(0, I/D), fresh per face
 *
 * With |g|, |h| ≈ 1 in high dimension, cos(c, c') ≈ 1/(1 + a²) and cos(f, f') ≈ 1/(1 + b²) for
 * two faces of one identity, so a and b follow from the mean distances asked for:
 * a² = d_inter / (1 − d_inter), b² = d_intra / (1 − d_intra). Identities get 1–3 faces.
 *
 * With a fitted `GaussianFaceModel` (embedding-model.ts) centres and faces are drawn from the
 * covariances of real embeddings instead: c = μ + N(0, Σ_between), f = normalise(c + N(0, Σ_within)).
 */
export interface SyntheticOptions {
  dim: number;
  /** Mean cosine distance between faces of different identities. */
  interDistance: number;
  /** Mean cosine distance between two faces of the same identity. */
  intraDistance: number;
  seed: number;
  /** Faces per identity are drawn uniformly from 1..maxFacesPerIdentity. */
  maxFacesPerIdentity: number;
  /** Draw from covariances fitted to real embeddings; the two distances are then ignored. */
  model?: GaussianFaceModel;
}

export interface SyntheticFace {
  identity: number;
  vector: Float32Array;
}

function normalise(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

export class SyntheticFaceGenerator {
  private readonly random: () => number;
  private readonly normal: () => number;
  private readonly mean: Float32Array;
  private readonly a: number;
  private readonly b: number;
  /** Centres of every identity generated so far, in order. */
  readonly centres: Float32Array[] = [];
  private remainingOfIdentity = 0;

  constructor(readonly options: SyntheticOptions) {
    this.random = seededRandom(options.seed);
    this.normal = gaussian(this.random);
    this.mean = normalise(this.noise(this.normal, 1, new Float32Array(options.dim)));
    this.a = Math.sqrt(options.interDistance / (1 - options.interDistance));
    this.b = Math.sqrt(options.intraDistance / (1 - options.intraDistance));
  }

  /** `base + scale·N(0, I/D)`. */
  private noise(normal: () => number, scale: number, base: Float32Array): Float32Array {
    const out = new Float32Array(this.options.dim);
    const sd = scale / Math.sqrt(this.options.dim);
    for (let i = 0; i < out.length; i++) out[i] = base[i]! + sd * normal();
    return out;
  }

  private centre(normal: () => number): Float32Array {
    const model = this.options.model;
    if (model) return sampleAround(model.mean, model.between, normal);
    return normalise(this.noise(normal, this.a, this.mean));
  }

  private face(centre: Float32Array, normal: () => number): Float32Array {
    const model = this.options.model;
    if (model) return normalise(sampleAround(centre, model.within, normal));
    return normalise(this.noise(normal, this.b, centre));
  }

  /** The next gallery face; a new identity starts when the current one has all its faces. */
  next(): SyntheticFace {
    if (this.remainingOfIdentity === 0) {
      this.centres.push(this.centre(this.normal));
      this.remainingOfIdentity = 1 + Math.floor(this.random() * this.options.maxFacesPerIdentity);
    }
    this.remainingOfIdentity--;
    const identity = this.centres.length - 1;
    return { identity, vector: this.face(this.centres[identity]!, this.normal) };
  }

  /**
   * Query faces from their own random stream, so drawing queries never changes the gallery:
   * `known(n)` is a new face of one of the first n identities (a returning person), `unknown()`
   * a face of a new identity from the same distribution (a stranger).
   */
  probes(seed: number) {
    const random = seededRandom(seed);
    const normal = gaussian(random);
    return {
      known: (identities: number): SyntheticFace => {
        const identity = Math.floor(random() * identities);
        return { identity, vector: this.face(this.centres[identity]!, normal) };
      },
      unknown: (): SyntheticFace => ({ identity: -1, vector: this.face(this.centre(normal), normal) }),
      random,
    };
  }
}

export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return 1 - dot;
}
