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
import type { DatabaseServer } from '../../src/infra/database/database-server.js';
import { createServerDatabase, TEST_SERVER_URL } from '../support/database.js';

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

// The embedded engine's own lifecycle; the real-server tier has its own block below.
describe.skipIf(TEST_SERVER_URL)('DatabaseModule (embedded)', () => {
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

describe.skipIf(!TEST_SERVER_URL)('DatabaseModule on a real PostgreSQL (DATABASE_URL)', () => {
  let server: DatabaseServer;
  afterAll(async () => server?.close());

  it('migrates, then serves concurrent queries on a pool of several connections', async () => {
    server = await createServerDatabase(TEST_SERVER_URL!);
    const app = await boot({ DATABASE_URL: server.url, DATABASE_POOL_SIZE: '8' });
    try {
      const database = app.get(DatabaseService);
      expect(database.mode).toBe('external');
      const prisma = app.get(PrismaService);
      // Overlapping queries each hold a connection: several backends serve them at once.
      const pids = await Promise.all(
        Array.from({ length: 16 }, async () => {
          const [row] = await prisma.$queryRaw<
            { pid: number }[]
          >`SELECT pg_backend_pid() AS pid, pg_sleep(0.1)::text AS slept`;
          return row!.pid;
        }),
      );
      expect(new Set(pids).size).toBeGreaterThan(1);
      expect(new Set(pids).size).toBeLessThanOrEqual(8);
      const counters = app.get(CounterRepository);
      await Promise.all(Array.from({ length: 50 }, () => counters.increment('concurrent')));
      expect(await counters.increment('concurrent')).toBe(51n);
    } finally {
      await app.close();
    }
  });
});
