import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { orderedMap } from './ordered-map.js';

async function* numbers(n: number, onRead: (i: number) => void) {
  for (let i = 0; i < n; i++) {
    onRead(i);
    yield i;
  }
}

describe('orderedMap', () => {
  it('keeps the order, runs calls side by side, and reads only as far as it needs', async () => {
    let read = 0;
    let inFlight = 0;
    let most = 0;
    const results: number[] = [];
    const mapped = orderedMap(
      numbers(6, (i) => (read = i + 1)),
      2,
      async (x) => {
        most = Math.max(most, ++inFlight);
        await sleep(x % 2 === 0 ? 20 : 1); // later items finish first
        inFlight--;
        return x * 10;
      },
    );
    for await (const r of mapped) {
      results.push(r);
      expect(read).toBeLessThanOrEqual(results.length + 2);
    }
    expect(results).toEqual([0, 10, 20, 30, 40, 50]);
    expect(most).toBe(2);
  });

  it('passes a failure on at its place in the order', async () => {
    const mapped = orderedMap(
      numbers(3, () => undefined),
      3,
      async (x) => {
        if (x === 1) throw new Error('frame 1 failed');
        return x;
      },
    );
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const r of mapped) seen.push(r);
      })(),
    ).rejects.toThrow('frame 1 failed');
    expect(seen).toEqual([0]);
  });
});
