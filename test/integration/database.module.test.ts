import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { LOCK_FILE_NAME } from '../../src/infra/database/data-dir-lock.js';
import { DatabaseModule } from '../../src/infra/database/database.module.js';
import { DatabaseService } from '../../src/infra/database/database.service.js';
import { PrismaService } from '../../src/infra/database/prisma.service.js';

/** How a feature repository uses the database: inject PrismaService, run typed or raw queries. */
@Injectable()
class CounterRepository {
  constructor(private readonly prisma: PrismaService) {}

  async increment(name: string): Promise<bigint> {
    const [row] = await this.prisma.$queryRaw<{ value: bigint }[]>`
      INSERT INTO counters (name, value) VALUES (${name}, 1)
      ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`;
    return row!.value;
  }
}

async function boot(env: Record<string, string>) {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(loadConfig(env)), DatabaseModule],
    providers: [CounterRepository],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('DatabaseModule', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'face-db-module-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts, migrates and serves repositories; closes cleanly and releases the directory', async () => {
    const app = await boot({ DATA_DIR: dataDir });
    const database = app.get(DatabaseService);
    expect(database.mode).toBe('embedded');
    expect(app.get(PrismaService)).toBe(database.prisma);
    expect(await database.ping()).toBe(true);

    const counters = app.get(CounterRepository);
    expect(await counters.increment('boots')).toBe(1n);
    expect(await counters.increment('boots')).toBe(2n);
    expect(await app.get(PrismaService).counter.findUnique({ where: { name: 'boots' } })).toMatchObject({
      value: 2n,
    });
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(true);

    await app.close();
    expect(await database.ping()).toBe(false);
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
    await expect(database.prisma.counter.count()).rejects.toThrow(/not started/);
  });

  it('refuses a second application on the same data directory in the same process', async () => {
    const app = await boot({ DATA_DIR: dataDir });
    try {
      await expect(boot({ DATA_DIR: dataDir })).rejects.toThrow(
        `Data directory ${dataDir} is in use by process ${process.pid}`,
      );
      // The survivor keeps its data and its lock.
      expect(await app.get(CounterRepository).increment('boots')).toBe(3n);
    } finally {
      await app.close();
    }
  });

  it('fails to start, without hanging, when the external database is unreachable', async () => {
    await expect(boot({ DATABASE_URL: 'postgresql://face:secret@127.0.0.1:1/face' })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});
