import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../infra/database/prisma.service.js';

export type CounterName = 'recognitions';

/** Service-wide counters (recognitions served) kept in the database so they survive restarts. */
@Injectable()
export class StatsCounters {
  constructor(private readonly prisma: PrismaService) {}

  async increment(name: CounterName): Promise<void> {
    await this.prisma.$executeRaw(Prisma.sql`
      INSERT INTO counters (name, value) VALUES (${name}, 1)
      ON CONFLICT (name) DO UPDATE SET value = counters.value + 1`);
  }

  async get(name: CounterName): Promise<number> {
    const row = await this.prisma.counter.findUnique({ where: { name } });
    return Number(row?.value ?? 0);
  }
}
