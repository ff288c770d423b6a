import { describe, expect, it } from 'vitest';
import { DecodeBudget, DecoderBusyError } from './decode-budget.js';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DecodeBudget', () => {
  it('runs uploads side by side while they fit, then queues the rest first come, first served', async () => {
    const budget = new DecodeBudget(100, 5_000);
    const order: string[] = [];
    const job = (name: string, pixels: number, ms: number) =>
      budget.run(pixels, async () => {
        order.push(`start ${name}`);
        await later(ms);
        order.push(`end ${name}`);
      });
    await Promise.all([job('a', 60, 40), job('b', 40, 20), job('c', 50, 10), job('d', 10, 10)]);
    // c waits for room; d, though small, does not overtake it.
    expect(order.indexOf('start c')).toBeGreaterThan(order.indexOf('end b'));
    expect(order.indexOf('start d')).toBeGreaterThan(order.indexOf('start c'));
    expect(budget.inUse).toBe(0);
  });

  it('refuses with 503 and Retry-After when no room frees up in time, and releases on failure', async () => {
    const budget = new DecodeBudget(100, 50);
    const holder = budget.run(100, () => later(200));
    const refused = budget.run(1, async () => 'never');
    await expect(refused).rejects.toBeInstanceOf(DecoderBusyError);
    await expect(refused).rejects.toMatchObject({ httpStatus: 503, headers: { 'Retry-After': '1' } });
    await holder;
    await expect(budget.run(100, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(budget.inUse).toBe(0);
  });

  it('caps one oversized request at the whole budget instead of deadlocking', async () => {
    const budget = new DecodeBudget(100, 50);
    await expect(budget.run(1_000, async () => 'ok')).resolves.toBe('ok');
  });
});
