/**
 * A Gaussian model of real face embeddings, for synthetic galleries whose geometry follows the
 * model's own vectors rather than an isotropic guess:
 *
 *   face = normalise(μ + b + w),  b ~ N(0, Σ_between) per identity,  w ~ N(0, Σ_within) per face
 *
 * fitted from people with two embedded photos each: d = (x₁ − x₂)/√2 has covariance Σ_within;
 * the pair mean m = (x₁ + x₂)/2 has covariance Σ_between + Σ_within/2. Both covariances are
 * factored by eigen-decomposition (negative eigenvalues from sampling noise clamped to 0), and a
 * sample is V·(√λ ⊙ z). Real embeddings occupy far fewer effective dimensions than 128, which
 * is what makes approximate search on them easier than on isotropic noise.
 */
export interface GaussianFaceModel {
  dim: number;
  mean: number[];
  /** Σ_between = V diag(λ) Vᵀ: eigenvectors as rows, and √λ. */
  between: { vectors: number[][]; sqrtValues: number[] };
  within: { vectors: number[][]; sqrtValues: number[] };
  /** Effective dimensions of the two covariances: (Σλ)² / Σλ² (participation ratio). */
  effectiveDims: { between: number; within: number };
  pairs: number;
}

type Matrix = Float64Array[];

function covariance(samples: readonly Float64Array[], dim: number): Matrix {
  const cov = Array.from({ length: dim }, () => new Float64Array(dim));
  for (const s of samples) {
    for (let i = 0; i < dim; i++) {
      const si = s[i]!;
      const row = cov[i]!;
      for (let j = i; j < dim; j++) row[j] = row[j]! + si * s[j]!;
    }
  }
  const n = Math.max(samples.length - 1, 1);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      cov[i]![j] = cov[i]![j]! / n;
      cov[j]![i] = cov[i]![j]!;
    }
  }
  return cov;
}

/** Cyclic Jacobi eigen-decomposition of a symmetric matrix: eigenvalues and eigenvectors (rows). */
export function symmetricEigen(input: Matrix): { values: number[]; vectors: number[][] } {
  const n = input.length;
  const a = input.map((row) => Float64Array.from(row));
  const v = Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    row[i] = 1;
    return row;
  });
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        // Columns of v accumulate the rotations; stored transposed, so eigenvectors end up as rows.
        for (let k = 0; k < n; k++) {
          const vpk = v[p]![k]!;
          const vqk = v[q]![k]!;
          v[p]![k] = c * vpk - s * vqk;
          v[q]![k] = s * vpk + c * vqk;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]!), vectors: v.map((row) => Array.from(row)) };
}

function factor(cov: Matrix) {
  const { values, vectors } = symmetricEigen(cov);
  const clamped = values.map((l) => Math.max(l, 0));
  const sum = clamped.reduce((s, l) => s + l, 0);
  const sumSq = clamped.reduce((s, l) => s + l * l, 0);
  return { vectors, sqrtValues: clamped.map(Math.sqrt), effectiveDim: sumSq > 0 ? (sum * sum) / sumSq : 0 };
}

/** Fits the model from pairs of embeddings of the same person (one pair per person). */
export function fitGaussianFaceModel(pairs: readonly [Float32Array, Float32Array][]): GaussianFaceModel {
  if (pairs.length < 10) throw new Error(`need at least 10 same-person pairs to fit, got ${pairs.length}`);
  const dim = pairs[0]![0].length;
  const means = pairs.map(([a, b]) => Float64Array.from(a, (x, i) => (x + b[i]!) / 2));
  const mu = new Float64Array(dim);
  for (const m of means) for (let i = 0; i < dim; i++) mu[i] = mu[i]! + m[i]! / means.length;
  const centred = means.map((m) => m.map((x, i) => x - mu[i]!));
  const diffs = pairs.map(([a, b]) => Float64Array.from(a, (x, i) => (x - b[i]!) / Math.SQRT2));
  const within = covariance(diffs, dim);
  const meanCov = covariance(centred, dim);
  const between = meanCov.map((row, i) => row.map((x, j) => x - within[i]![j]! / 2));
  const b = factor(between);
  const w = factor(within);
  return {
    dim,
    mean: Array.from(mu),
    between: { vectors: b.vectors, sqrtValues: b.sqrtValues },
    within: { vectors: w.vectors, sqrtValues: w.sqrtValues },
    effectiveDims: { between: b.effectiveDim, within: w.effectiveDim },
    pairs: pairs.length,
  };
}

/** `base + V·(√λ ⊙ z)` with z standard normal. */
export function sampleAround(
  base: ArrayLike<number>,
  factorised: { vectors: number[][]; sqrtValues: number[] },
  normal: () => number,
): Float32Array {
  const out = Float32Array.from(base);
  factorised.sqrtValues.forEach((sd, k) => {
    if (sd === 0) return;
    const coefficient = sd * normal();
    const vector = factorised.vectors[k]!;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + coefficient * vector[i]!;
  });
  return out;
}
