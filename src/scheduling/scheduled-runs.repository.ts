import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../infra/database/prisma.service.js';

@Injectable()
export class ScheduledRunsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims this interval's run of `name` for `instance`: true when no run started after
   * `notBefore` (the claim moves last_run_at to `now`), false when another instance got there
   * first. The upsert's row lock makes the check and the move one step.
   */
  async claim(name: string, instance: string, now: Date, notBefore: Date): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<unknown[]>(Prisma.sql`
      INSERT INTO scheduled_runs AS s (name, last_run_at, run_by) VALUES (${name}, ${now}, ${instance})
      ON CONFLICT (name) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, run_by = EXCLUDED.run_by
        WHERE s.last_run_at <= ${notBefore}
      RETURNING name`);
    return rows.length === 1;
  }
}
