import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import type { DbClient } from '../../src/infra/database/db-client.js';
import { DatabaseModule } from '../../src/infra/database/database.module.js';
import { toPgVector } from '../../src/infra/database/pgvector.js';
import { applySessionSettings, PrismaService } from '../../src/infra/database/prisma.service.js';
import { MatchingRepository } from '../../src/matching/matching.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { normalize, seededRandom } from '../support/vectors.js';

const show = async (db: DbClient, name: 'hnsw.ef_search' | 'hnsw.iterative_scan') => {
  const [row] = await db.$queryRawUnsafe<Record<string, string>[]>(`SHOW ${name}`);
  return row?.[name];
};

describe('SEARCH_EF on the application database (embedded PGlite)', () => {
  let app: INestApplication;
  let prisma: PrismaService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(loadConfig({ DATA_DIR: 'memory://', SEARCH_EF: '123' })),
        DatabaseModule,
      ],
      providers: [MatchingRepository],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    prisma = app.get(PrismaService);
  });
  afterAll(async () => app?.close());

  it('sets hnsw.ef_search, and iterative scans (pgvector 0.8), on the connection PrismaService queries use', async () => {
    expect(await show(prisma, 'hnsw.ef_search')).toBe('123');
    expect(await show(prisma, 'hnsw.iterative_scan')).toBe('relaxed_order');
    // Interactive transactions check a connection out of the same pool.
    expect(await prisma.$transaction((tx) => show(tx, 'hnsw.ef_search'))).toBe('123');
  });

  it('lets a model filter go past the first ef_search candidates in the repository search', async () => {
    const random = seededRandom(11);
    const vector = () => normalize(Array.from({ length: 128 }, () => random() - 0.5));
    const faces = [
      ...Array.from({ length: 1000 }, () => ({ model: 'other', vector: vector() })),
      ...Array.from({ length: 6 }, () => ({ model: 'target', vector: vector() })),
    ];
    for (let i = 0; i < faces.length; i += 250) await insertFaces(prisma, faces.slice(i, i + 250));
    await prisma.$executeRaw`ANALYZE faces`;

    const repository = app.get(MatchingRepository);
    const search = (db: DbClient) =>
      repository.findNearestUsers(
        {
          embedding: Float32Array.from(faces.at(-1)!.vector),
          model: 'target',
          topK: 10,
          maxDistance: 2,
          limit: 10,
        },
        db,
      );
    const [withIterative, without] = await prisma.$transaction(async (tx) => {
      // 1,006 rows are cheaper to scan than to search; make the planner use the HNSW index.
      await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
      const found = await search(tx);
      await tx.$executeRaw`SET LOCAL hnsw.iterative_scan = off`;
      return [found, await search(tx)];
    });
    // All six 'target' faces, though most are not among the 123 nearest of the 1,006 faces.
    expect(withIterative).toHaveLength(6);
    expect(withIterative[0]?.distance).toBeCloseTo(0, 5);
    // Without iterative scans the filter starves the result: the settings are what make the difference.
    expect(without.length).toBeLessThan(6);
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

async function insertFaces(db: PrismaService, faces: { model: string; vector: number[] }[]): Promise<void> {
  const users = faces.map(() => randomUUID());
  await db.$executeRaw`INSERT INTO users (id, name, birthdate, updated_at)
    VALUES ${Prisma.join(users.map((id) => Prisma.sql`(${id}::uuid, 'face owner', '1990-01-01'::date, now())`))}`;
  const rows = faces.map(
    (face, i) => Prisma.sql`(${users[i]!}::uuid, ${toPgVector(face.vector)}::vector, ${face.model}, 0.99,
      '{"x":0,"y":0,"width":1,"height":1}'::jsonb, ${'0'.repeat(64)}, now())`,
  );
  await db.$executeRaw`INSERT INTO faces (user_id, embedding, model, detection_score, box, image_sha256, updated_at)
    VALUES ${Prisma.join(rows)}`;
}
