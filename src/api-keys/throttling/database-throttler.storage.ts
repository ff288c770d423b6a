import type { ThrottlerStorage } from '@nestjs/throttler';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../infra/database/prisma.service.js';
import { type ThrottlerStorageRecord, toRecord } from './sliding-window.js';

/**
 * Rate-limit counters in the database, so that every API instance counts against the same budget
 * (`RATE_LIMIT_STORE=database`). The same sliding-window counter as in memory, decided and applied
 * in one upsert: its row lock serialises concurrent requests of one caller, so two instances can
 * never both take the last request of a window. The table is UNLOGGED (hot, disposable state);
 * rows idle for two windows are removed by the periodic cleanup.
 *
 * Chosen over Redis: a deployment with several instances already runs PostgreSQL, and this keeps
 * it to one stateful dependency. At the limits this service runs with (hundreds of inference
 * requests per minute per key) one small write per request and tier is nothing next to a
 * recognition; a deployment taking thousands of requests per second would want Redis behind the
 * same ThrottlerStorage port.
 */
export class DatabaseThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: () => number = Date.now,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = this.clock();
    const window = Math.floor(now / ttl);
    const elapsed = (now - window * ttl) / ttl;
    const expires = new Date((window + 2) * ttl);
    // The stored row's counts rolled forward to this window (SET expressions all see the old row).
    const current = Prisma.sql`(CASE WHEN r."window" = ${window} THEN r.current ELSE 0 END)`;
    const previous = Prisma.sql`(CASE WHEN r."window" = ${window} THEN r.previous
      WHEN r."window" = ${window - 1} THEN r.current ELSE 0 END)`;
    const fits = Prisma.sql`(${previous} * (1 - ${elapsed}::float8) + ${current} + 1 <= ${limit})`;
    const [row] = await this.prisma.$queryRaw<Array<{ current: number; previous: number; allowed: boolean }>>(
      Prisma.sql`
        INSERT INTO rate_limits AS r (key, "window", current, previous, allowed, expires_at)
        VALUES (${`${throttlerName}:${key}`}, ${window}, ${limit >= 1 ? 1 : 0}, 0, ${limit >= 1}, ${expires})
        ON CONFLICT (key) DO UPDATE SET
          current = ${current} + CASE WHEN ${fits} THEN 1 ELSE 0 END,
          previous = ${previous},
          allowed = ${fits},
          "window" = ${window},
          expires_at = ${expires}
        RETURNING current, previous, allowed`,
    );
    return toRecord(
      { window, current: row!.current, previous: row!.previous },
      !row!.allowed,
      now,
      ttl,
      limit,
    );
  }

  /** Removes counters idle for two windows (run by the periodic cleanup). */
  deleteExpired(now: Date): Promise<number> {
    return this.prisma.$executeRaw(Prisma.sql`DELETE FROM rate_limits WHERE expires_at < ${now}`);
  }
}
