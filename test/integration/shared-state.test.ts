import { SchedulerRegistry } from '@nestjs/schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseThrottlerStorage } from '../../src/api-keys/throttling/database-throttler.storage.js';
import { hit, type WindowState } from '../../src/api-keys/throttling/sliding-window.js';
import { createPrismaClient, type PrismaService } from '../../src/infra/database/prisma.service.js';
import { ClusterScheduler } from '../../src/scheduling/cluster-scheduler.js';
import { ScheduledRunsRepository } from '../../src/scheduling/scheduled-runs.repository.js';
import { createTestDatabase, TEST_ENGINE, type TestDatabase } from '../support/database.js';
import { ManualClock } from '../support/test-app.js';

/**
 * The state several API instances share through the database: rate-limit counters and the
 * once-per-interval gate of periodic jobs. "Two instances" here are two Prisma clients (two pools)
 * on one database, as two processes would have.
 */
describe(`state shared by API instances (${TEST_ENGINE})`, () => {
  let db: TestDatabase;
  let second: PrismaService;

  beforeAll(async () => {
    db = await createTestDatabase();
    second = createPrismaClient(db.url, db.server.poolSize);
    await second.$connect();
  });
  afterAll(async () => {
    await second?.$disconnect();
    await db?.close();
  });

  const ttl = 60_000;
  const t0 = 29_000_000 * ttl; // the start of a window, in 2025

  it('counts like the in-memory sliding window, request by request', async () => {
    let now = t0;
    const storage = new DatabaseThrottlerStorage(db.prisma, () => now);
    let state: WindowState | undefined;
    // Bursts and pauses across four windows, against a limit of 7.
    const offsets = [
      0, 1, 2, 3, 4, 5, 6, 7, 8, 30, 45, 61, 62, 70, 90, 95, 100, 118, 119, 121, 150, 200, 260,
    ];
    for (const seconds of offsets) {
      now = t0 + seconds * 1000;
      const expected = hit(state, now, ttl, 7);
      state = expected.state;
      expect(await storage.increment('caller', ttl, 7, 0, 'default'), `at ${seconds} s`).toEqual(
        expected.record,
      );
    }
  });

  it("holds a key's limit across two instances under concurrent requests", async () => {
    const now = () => t0 + 5_000;
    const a = new DatabaseThrottlerStorage(db.prisma, now);
    const b = new DatabaseThrottlerStorage(second, now);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).increment('shared-key', ttl, 10, 0, 'inference')),
    );
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(10);
    expect(results.filter((r) => r.isBlocked).every((r) => r.timeToBlockExpire > 0)).toBe(true);
    // Tiers and keys count separately.
    expect((await a.increment('shared-key', ttl, 10, 0, 'default')).isBlocked).toBe(false);
    expect((await b.increment('other-key', ttl, 10, 0, 'inference')).isBlocked).toBe(false);
  });

  it('deletes counters idle for two windows', async () => {
    const storage = new DatabaseThrottlerStorage(db.prisma, () => t0 + 10 * ttl);
    await storage.increment('recent', ttl, 5, 0, 'default');
    const before = await db.prisma.rateLimit.count();
    const deleted = await storage.deleteExpired(new Date(t0 + 10 * ttl));
    expect(deleted).toBeGreaterThan(0);
    expect(await db.prisma.rateLimit.count()).toBe(before - deleted);
    expect(await db.prisma.rateLimit.findMany({ select: { key: true } })).toEqual([
      { key: 'default:recent' },
    ]);
  });

  it('lets exactly one instance claim each interval of a periodic job', async () => {
    const runs = [new ScheduledRunsRepository(db.prisma), new ScheduledRunsRepository(second)];
    const now = new Date(t0);
    const notBefore = new Date(t0 - 270_000);
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => runs[i % 2]!.claim('job', `instance-${i}`, now, notBefore)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // Too early for the next run (90 % of a 300 s interval has not passed)…
    const early = new Date(t0 + 200_000);
    expect(await runs[1]!.claim('job', 'late', early, new Date(early.getTime() - 270_000))).toBe(false);
    // …then due, for whichever instance ticks first.
    const due = new Date(t0 + 280_000);
    expect(await runs[1]!.claim('job', 'late', due, new Date(due.getTime() - 270_000))).toBe(true);
    const [row] = await db.prisma.scheduledRun.findMany({ where: { name: 'job' } });
    expect(row).toMatchObject({ runBy: 'late', lastRunAt: due });
  });

  it('runs a scheduled task once per interval whatever the number of instances', async () => {
    const clock = new ManualClock();
    const schedulers = [db.prisma, second, db.prisma].map(
      (prisma) => new ClusterScheduler(new SchedulerRegistry(), new ScheduledRunsRepository(prisma), clock),
    );
    let runs = 0;
    const task = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const tickAll = () => Promise.all(schedulers.map((s) => s.tick('cleanup', 60, task)));
    expect((await tickAll()).filter(Boolean)).toHaveLength(1);
    clock.advance(30_000);
    expect((await tickAll()).filter(Boolean)).toHaveLength(0);
    clock.advance(30_000);
    expect((await tickAll()).filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(2);
  });
});
