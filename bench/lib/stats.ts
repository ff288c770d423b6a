/** The q-th percentile (0..100) by linear interpolation between closest ranks (numpy's default). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  const mean = n > 0 ? values.reduce((a, b) => a + b, 0) / n : Number.NaN;
  return {
    n,
    mean,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    min: n > 0 ? Math.min(...values) : Number.NaN,
    max: n > 0 ? Math.max(...values) : Number.NaN,
  };
}

/** Rounds for reports: keeps JSON lines and tables readable without losing meaningful digits. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const k = 10 ** digits;
  return Math.round(value * k) / k;
}

export function pct(numerator: number, denominator: number, digits = 2): number {
  return denominator > 0 ? round((100 * numerator) / denominator, digits) : Number.NaN;
}

/** Milliseconds since `start` (a `process.hrtime.bigint()` reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs `worker` over `items` with at most `concurrency` in flight, preserving nothing but completion. */
export async function forEachConcurrent<T>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      await worker(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, run));
}
