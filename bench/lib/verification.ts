/**
 * Face verification metrics over scored pairs. `distance` is a cosine distance (smaller = more
 * alike); a pair is accepted as "same person" when `distance < threshold`. A pair whose
 * distance is NaN (a face was not found) is counted as a wrong answer by `accuracyAt`, whatever
 * the threshold, and as a rejection by the ROC figures.
 */
export interface ScoredPair {
  same: boolean;
  distance: number;
}

export function accuracyAt(pairs: readonly ScoredPair[], threshold: number): number {
  let correct = 0;
  for (const p of pairs) {
    if (Number.isNaN(p.distance)) continue;
    if (p.distance < threshold === p.same) correct++;
  }
  return pairs.length > 0 ? correct / pairs.length : Number.NaN;
}

export interface ThresholdChoice {
  threshold: number;
  accuracy: number;
  /** The range of thresholds that reach the same best accuracy. */
  plateau: [number, number];
}

/**
 * The accuracy-maximising threshold. Candidates are the midpoints between consecutive distinct
 * distances (plus one below the smallest and one above the largest); one sorted sweep evaluates
 * all of them. Where several candidates tie, the median of the tied ones is taken, so the
 * threshold sits inside the best region rather than on its edge.
 */
export function bestThreshold(pairs: readonly ScoredPair[]): ThresholdChoice {
  const valid = pairs.filter((p) => !Number.isNaN(p.distance)).sort((a, b) => a.distance - b.distance);
  if (valid.length === 0) return { threshold: Number.NaN, accuracy: Number.NaN, plateau: [NaN, NaN] };
  // Threshold below everything: all rejected → the different-person pairs are right.
  let correct = valid.filter((p) => !p.same).length;
  const candidates: { t: number; correct: number }[] = [{ t: valid[0]!.distance - 1e-6, correct }];
  for (let i = 0; i < valid.length;) {
    const d = valid[i]!.distance;
    // Moving the threshold past all pairs at distance d accepts them.
    while (i < valid.length && valid[i]!.distance === d) {
      correct += valid[i]!.same ? 1 : -1;
      i++;
    }
    const next = i < valid.length ? valid[i]!.distance : d + 1e-6;
    candidates.push({ t: (d + next) / 2, correct });
  }
  const best = Math.max(...candidates.map((c) => c.correct));
  const tied = candidates.filter((c) => c.correct === best).map((c) => c.t);
  return {
    threshold: tied[Math.floor((tied.length - 1) / 2)]!,
    accuracy: best / pairs.length,
    plateau: [tied[0]!, tied[tied.length - 1]!],
  };
}

export interface TarAtFar {
  far: number;
  /** False accepts allowed: floor(far × impostor pairs). */
  allowedFalseAccepts: number;
  threshold: number;
  tar: number;
}

/**
 * True-accept rate at a false-accept rate: the threshold is placed at the (k+1)-th smallest
 * impostor distance with k = floor(FAR × impostors), so exactly k impostors are accepted
 * (strict `<`); TAR is the share of genuine pairs below it.
 */
export function tarAtFar(pairs: readonly ScoredPair[], far: number): TarAtFar {
  const impostor = pairs
    .filter((p) => !p.same)
    .map((p) => (Number.isNaN(p.distance) ? Infinity : p.distance))
    .sort((a, b) => a - b);
  const genuine = pairs.filter((p) => p.same).map((p) => (Number.isNaN(p.distance) ? Infinity : p.distance));
  const k = Math.floor(far * impostor.length + 1e-9);
  const threshold = impostor[k] ?? Infinity;
  const accepted = genuine.filter((d) => d < threshold).length;
  return {
    far,
    allowedFalseAccepts: k,
    threshold,
    tar: genuine.length > 0 ? accepted / genuine.length : NaN,
  };
}

/** Area under the ROC curve: P(genuine distance < impostor distance), ties counting ½. */
export function rocAuc(pairs: readonly ScoredPair[]): number {
  const toDistance = (p: ScoredPair) => (Number.isNaN(p.distance) ? Infinity : p.distance);
  const genuine = pairs.filter((p) => p.same).map(toDistance);
  const impostor = pairs
    .filter((p) => !p.same)
    .map(toDistance)
    .sort((a, b) => a - b);
  if (genuine.length === 0 || impostor.length === 0) return Number.NaN;
  let wins = 0;
  for (const g of genuine) {
    const below = lowerBound(impostor, g);
    const notAbove = upperBound(impostor, g);
    wins += impostor.length - notAbove + 0.5 * (notAbove - below);
  }
  return wins / (genuine.length * impostor.length);
}

/** Equal error rate: where false-accept and false-reject rates cross (their mean at the closest point). */
export function equalErrorRate(pairs: readonly ScoredPair[]): { eer: number; threshold: number } {
  const toDistance = (p: ScoredPair) => (Number.isNaN(p.distance) ? Infinity : p.distance);
  const genuine = pairs.filter((p) => p.same).map(toDistance);
  const impostor = pairs.filter((p) => !p.same).map(toDistance);
  const thresholds = [...new Set(pairs.map(toDistance).filter(Number.isFinite))].sort((a, b) => a - b);
  let best = { gap: Infinity, eer: NaN, threshold: NaN };
  for (const t of thresholds) {
    const frr = genuine.filter((d) => !(d <= t)).length / genuine.length;
    const far = impostor.filter((d) => d <= t).length / impostor.length;
    if (Math.abs(frr - far) < best.gap)
      best = { gap: Math.abs(frr - far), eer: (frr + far) / 2, threshold: t };
  }
  return { eer: best.eer, threshold: best.threshold };
}

function lowerBound(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return 1 - dot;
}
