import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import type { DbClient } from '../../src/infra/database/db-client.js';
import { DatabaseModule } from '../../src/infra/database/database.module.js';
import { applySessionSettings, PrismaService } from '../../src/infra/database/prisma.service.js';
import { MatchingRepository } from '../../src/matching/matching.repository.js';
import { createTestDatabase, TEST_ENGINE, type TestDatabase, testDatabaseEnv } from '../support/database.js';

const show = async (db: DbClient, name: 'hnsw.ef_search' | 'hnsw.iterative_scan') => {
  const [row] = await db.$queryRawUnsafe<Record<string, string>[]>(`SHOW ${name}`);
  return row?.[name];
};

describe(`SEARCH_EF on the application database (${TEST_ENGINE})`, () => {
  let app: INestApplication;
  let prisma: PrismaService;
  let database: Awaited<ReturnType<typeof testDatabaseEnv>>;

  beforeAll(async () => {
    database = await testDatabaseEnv();
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(loadConfig({ ...database.env, SEARCH_EF: '123' })), DatabaseModule],
      providers: [MatchingRepository],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    prisma = app.get(PrismaService);
  });
  afterAll(async () => {
    await app?.close();
    await database?.release();
  });

  it('sets hnsw.ef_search, and iterative scans (pgvector 0.8), on the connection PrismaService queries use', async () => {
    expect(await show(prisma, 'hnsw.ef_search')).toBe('123');
    expect(await show(prisma, 'hnsw.iterative_scan')).toBe('relaxed_order');
    // Interactive transactions check a connection out of the same pool.
    expect(await prisma.$transaction((tx) => show(tx, 'hnsw.ef_search'))).toBe('123');
    // Every connection of the pool gets them, not only the first (a server pool opens several).
    const settings = await Promise.all(
      Array.from({ length: 12 }, () =>
        prisma.$transaction(async (tx) => {
          const ef = await show(tx, 'hnsw.ef_search');
          await tx.$queryRaw`SELECT pg_sleep(0.05)::text`;
          return ef;
        }),
      ),
    );
    expect(new Set(settings)).toEqual(new Set(['123']));
  });
});

describe('session settings on an older pgvector', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.close());

  it('leaves hnsw.iterative_scan alone when the installed pgvector predates 0.8', async () => {
    // Pretend the installed extension is 0.7.4 (PGlite's library is 0.8; only the version check
    // is exercised). Once pgvector is loaded, an unknown hnsw.* name is an error on such a server.
    await db.prisma.$executeRaw`UPDATE pg_extension SET extversion = '0.7.4' WHERE extname = 'vector'`;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('RESET ALL');
      await client.query("SELECT '[1]'::vector"); // loads pgvector, which reserves the hnsw.* names
      await applySessionSettings(client, { searchEf: 77 });
      const { rows } = await client.query<{ ef: string; iterative: string }>(
        "SELECT current_setting('hnsw.ef_search') AS ef, current_setting('hnsw.iterative_scan') AS iterative",
      );
      expect(rows[0]).toEqual({ ef: '77', iterative: 'off' });
      await expect(client.query("SELECT set_config('hnsw.not_a_setting', 'x', false)")).rejects.toThrow(
        /invalid configuration parameter name/,
      );
    } finally {
      await client.end();
    }
  });
});
