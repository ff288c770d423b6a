import type { ThrottlerStorage } from '@nestjs/throttler';

export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * A sliding-window counter: two fixed windows of `ttl`, the previous one weighted by how much of it
 * still overlaps the sliding window. Constant state per caller (two counts), where the library's
 * default storage keeps one timestamp per request — at the highest limits that is hundreds of
 * thousands of entries per key, and its `Math.min(...hits)` overflows the call stack. The estimate
 * errs by at most the previous window's uneven spread; it never lets through more than the limit in
 * any one fixed window.
 */
export interface WindowState {
  /** Index of the current fixed window (`floor(now / ttl)`). */
  window: number;
  current: number;
  previous: number;
}

export interface WindowDecision {
  state: WindowState;
  record: ThrottlerStorageRecord;
}

export function hit(state: WindowState | undefined, now: number, ttl: number, limit: number): WindowDecision {
  const window = Math.floor(now / ttl);
  let current = 0;
  let previous = 0;
  if (state && state.window === window) [current, previous] = [state.current, state.previous];
  else if (state && state.window === window - 1) previous = state.current;
  const elapsed = (now - window * ttl) / ttl;
  const isBlocked = previous * (1 - elapsed) + current + 1 > limit;
  if (!isBlocked) current++;
  return {
    state: { window, current, previous },
    record: toRecord({ window, current, previous }, isBlocked, now, ttl, limit),
  };
}

/** What the throttler guard reads, from the counts after a request was (or was not) counted. */
export function toRecord(
  { window, current, previous }: WindowState,
  isBlocked: boolean,
  now: number,
  ttl: number,
  limit: number,
): ThrottlerStorageRecord {
  const elapsed = (now - window * ttl) / ttl;
  const toWindowEnd = Math.ceil(((window + 1) * ttl - now) / 1000);
  return {
    totalHits: Math.ceil(previous * (1 - elapsed)) + current + (isBlocked ? 1 : 0),
    timeToExpire: toWindowEnd,
    isBlocked,
    timeToBlockExpire: isBlocked ? retryAfterSeconds(previous, current, elapsed, now, window, ttl, limit) : 0,
  };
}

/**
 * Seconds until one more request fits: the previous window's weight decays linearly, so solve
 * previous·(1 − t) + current + 1 ≤ limit for the elapsed fraction t; past this window's end the
 * current count becomes the previous one and decays the same way.
 */
function retryAfterSeconds(
  previous: number,
  current: number,
  elapsed: number,
  now: number,
  window: number,
  ttl: number,
  limit: number,
): number {
  if (current + 1 <= limit && previous > 0) {
    const t = 1 - (limit - 1 - current) / previous;
    if (t <= 1) return Math.max(1, Math.ceil(((t - elapsed) * ttl) / 1000));
  }
  // Wait for the next window, then for this window's count to decay below the limit.
  const next = current > 0 ? Math.max(0, 1 - (limit - 1) / current) : 0;
  return Math.max(1, Math.ceil(((window + 1 + next) * ttl - now) / 1000));
}
