/** Deterministic vectors for database tests: the same gallery on every run. */

/** A linear congruential generator in [0, 1): repeatable, unlike Math.random. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function dot(a: number[], b: number[]): number {
  return a.reduce((sum, x, i) => sum + x * b[i]!, 0);
}

export function normalize(v: number[]): number[] {
  const norm = Math.sqrt(dot(v, v));
  return v.map((x) => x / norm);
}
