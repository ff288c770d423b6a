import { describe, expect, it } from 'vitest';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';
import { hit, type WindowState } from './sliding-window.js';

describe('sliding-window counter', () => {
  const ttl = 60_000;

  it('admits exactly `limit` requests in a window, then blocks with a Retry-After', () => {
    let state: WindowState | undefined;
    const t0 = 10 * ttl; // the start of a window
    for (let i = 0; i < 5; i++) {
      const d = hit(state, t0 + i * 1000, ttl, 5);
      expect(d.record.isBlocked).toBe(false);
      state = d.state;
    }
    const blocked = hit(state, t0 + 10_000, ttl, 5);
    expect(blocked.record).toMatchObject({ isBlocked: true, totalHits: 6 });
    // All five counted in this window: one more fits once the next window's weight has decayed.
    expect(blocked.record.timeToBlockExpire).toBeGreaterThanOrEqual(50);
    expect(blocked.state.current).toBe(5); // a refused request is not counted
  });

  it("weights the previous window's count by its remaining overlap", () => {
    const t0 = 20 * ttl;
    let state: WindowState = { window: 20, current: 10, previous: 0 };
    // Half-way into the next window, half of the previous 10 still count.
    const d = hit(state, t0 + ttl + ttl / 2, ttl, 10);
    expect(d.state).toEqual({ window: 21, current: 1, previous: 10 });
    expect(d.record.totalHits).toBe(6);
    state = d.state;
    for (let i = 0; i < 4; i++) state = hit(state, t0 + ttl + ttl / 2, ttl, 10).state;
    const full = hit(state, t0 + ttl + ttl / 2, ttl, 10);
    expect(full.record.isBlocked).toBe(true);
    // previous·(1 − t) + 5 + 1 ≤ 10 ⇒ t ≥ 0.6: 6 s after the 30 s already elapsed.
    expect(full.record.timeToBlockExpire).toBe(6);
    // Two windows on, nothing of the old count remains.
    expect(hit(state, t0 + 3 * ttl, ttl, 10).state).toEqual({ window: 23, current: 1, previous: 0 });
  });

  it('tells the truth in Retry-After: blocked a second before it, admitted at it', () => {
    for (const [limit, offset] of [
      [3, 1_000],
      [3, 45_000],
      [5, 10_000],
      [60, 59_000],
    ] as const) {
      const t0 = 30 * ttl + offset;
      let state: WindowState | undefined;
      for (let i = 0; i < limit; i++) state = hit(state, t0, ttl, limit).state;
      const blocked = hit(state, t0, ttl, limit);
      expect(blocked.record.isBlocked).toBe(true);
      const wait = blocked.record.timeToBlockExpire * 1000;
      // Never more than (2 − (limit − 1)/limit) windows, even for the burst at a window's start.
      expect(wait).toBeLessThanOrEqual(Math.ceil((2 - (limit - 1) / limit) * ttl) + 1000);
      expect(hit(state, t0 + wait - 1000, ttl, limit).record.isBlocked, `limit ${limit}`).toBe(true);
      expect(hit(state, t0 + wait, ttl, limit).record.isBlocked, `limit ${limit}`).toBe(false);
    }
  });

  it('keeps constant memory and does not overflow at the highest limits', async () => {
    const storage = new MemoryThrottlerStorage();
    let last;
    for (let i = 0; i < 200_000; i++) last = await storage.increment('key:k', ttl, 1_000_000, 0, 'default');
    // (All in one window unless the run happens to cross a minute boundary.)
    expect(last?.isBlocked).toBe(false);
    expect(last?.totalHits).toBeGreaterThan(150_000);
    storage.onModuleDestroy();
  });
});
