import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../../src/infra/database/data-dir-lock.js';
import { EmbeddedPostgres, IN_MEMORY } from '../../src/infra/database/embedded-postgres.js';
import { findMigrationsDir, migrationChecksum } from '../../src/infra/database/migrations.js';
import { MigrationChecksumError, MigrationFailedError, Migrator } from '../../src/infra/database/migrator.js';
import { createPrismaClient } from '../../src/infra/database/prisma.service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { dot, normalize, seededRandom } from '../support/vectors.js';

const migrationsDir = findMigrationsDir();
const INIT = '20261125000000_init';

describe('Migrator on an empty embedded database', () => {
  let server: EmbeddedPostgres;
  let client: TestDatabase['prisma'];

  beforeAll(async () => {
    // Deliberately not the test helper's snapshot: this starts from initdb's empty database.
    server = await EmbeddedPostgres.start({ dataDir: IN_MEMORY });
    client = createPrismaClient(server.url, server.poolSize);
  });
  afterAll(async () => {
    await client?.$disconnect();
    await server?.close();
  });

  it('applies every migration once, recorded as Prisma records them', async () => {
    const first = await new Migrator(server.url).migrate();
    expect(first.applied).toEqual([INIT]);

    const rows = await client.$queryRaw<
      {
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        logs: string | null;
        applied_steps_count: number;
      }[]
    >`SELECT migration_name, checksum, finished_at, logs, applied_steps_count FROM _prisma_migrations`;
    expect(rows).toHaveLength(1);
    const sha256 = migrationChecksum(readFileSync(join(migrationsDir, INIT, 'migration.sql')));
    expect(rows[0]).toMatchObject({
      migration_name: INIT,
      checksum: sha256,
      logs: null,
      applied_steps_count: 1,
    });
    expect(rows[0]?.finished_at).toBeInstanceOf(Date);

    const columns = await client.$queryRaw<{ column_name: string; data_type: string }[]>`
      SELECT column_name, data_type FROM information_schema.columns
      WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`;
    expect(columns.map((c) => c.column_name)).toEqual([
      'id',
      'checksum',
      'finished_at',
      'migration_name',
      'logs',
      'rolled_back_at',
      'started_at',
      'applied_steps_count',
    ]);
  });

  it('is a no-op the second time, also when two migrators race', async () => {
    const [a, b] = await Promise.all([
      new Migrator(server.url).migrate(),
      new Migrator(server.url).migrate(),
    ]);
    expect(a.applied).toEqual([]);
    expect(b.applied).toEqual([]);
    expect(a.alreadyApplied).toEqual([INIT]);
    const [{ count }] = (await client.$queryRaw<
      { count: bigint }[]
    >`SELECT count(*) FROM _prisma_migrations`) as [{ count: bigint }];
    expect(count).toBe(1n);
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    const dir = copyMigrations();
    try {
      writeFileSync(join(dir, INIT, 'migration.sql'), '-- edited\n', { flag: 'a' });
      await expect(new Migrator(server.url, { migrationsDir: dir }).migrate()).rejects.toThrow(
        MigrationChecksumError,
      );
      await expect(new Migrator(server.url, { migrationsDir: dir }).migrate()).rejects.toThrow(
        /Migration 20261125000000_init was modified after it was applied/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the same file with CRLF line endings, as Prisma does', async () => {
    const dir = copyMigrations();
    try {
      const path = join(dir, INIT, 'migration.sql');
      writeFileSync(path, readFileSync(path, 'utf8').replaceAll('\n', '\r\n'));
      expect((await new Migrator(server.url, { migrationsDir: dir }).migrate()).applied).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rolls a failing migration back entirely and records nothing', async () => {
    const dir = copyMigrations();
    try {
      const name = '20990101000000_broken';
      cpSync(join(dir, INIT), join(dir, name), { recursive: true });
      writeFileSync(
        join(dir, name, 'migration.sql'),
        'CREATE TABLE half_done (id int);\nSELECT * FROM missing_table;\n',
      );
      await expect(new Migrator(server.url, { migrationsDir: dir }).migrate()).rejects.toThrow(
        MigrationFailedError,
      );
      const tables = await client.$queryRaw<unknown[]>`SELECT 1 FROM pg_tables WHERE tablename = 'half_done'`;
      expect(tables).toHaveLength(0);
      const rows = await client.$queryRaw<
        unknown[]
      >`SELECT 1 FROM _prisma_migrations WHERE migration_name = ${name}`;
      expect(rows).toHaveLength(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pgvector through Prisma', () => {
  let db: TestDatabase;
  const users: { id: string; vector: number[] }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const random = seededRandom(42);
    for (let i = 0; i < 200; i++) {
      const user = await db.prisma.user.create({
        data: { name: `user ${i}`, birthdate: new Date('1990-01-01') },
      });
      const vector = normalize(Array.from({ length: 128 }, () => random() - 0.5));
      await db.prisma.$executeRaw`
        INSERT INTO faces (user_id, embedding, model, detection_score, box, image_sha256, updated_at)
        VALUES (${user.id}::uuid, ${toSql(vector)}::vector, 'test', 0.99, ${JSON.stringify({ x: 0, y: 0, width: 1, height: 1 })}::jsonb,
                ${'0'.repeat(64)}, now())`;
      users.push({ id: user.id, vector });
    }
  });
  afterAll(async () => db?.close());

  it('returns the nearest faces by cosine distance, in order', async () => {
    const random = seededRandom(7);
    const target = users[123]!;
    const probe = normalize(target.vector.map((v) => v + (random() - 0.5) * 0.02));
    const rows = await db.prisma.$queryRaw<{ user_id: string; distance: number }[]>`
      SELECT user_id::text, embedding <=> ${toSql(probe)}::vector AS distance
      FROM faces ORDER BY embedding <=> ${toSql(probe)}::vector LIMIT 5`;

    const expected = users
      .map((u) => ({ id: u.id, distance: 1 - dot(u.vector, probe) }))
      .sort((a, b) => a.distance - b.distance)
      .slice(0, 5);
    expect(rows.map((r) => r.user_id)).toEqual(expected.map((e) => e.id));
    expect(rows[0]?.user_id).toBe(target.id);
    rows.forEach((row, i) => expect(row.distance).toBeCloseTo(expected[i]!.distance, 5));
  });

  it('reads vectors back through a text cast', async () => {
    const [row] = await db.prisma.$queryRaw<{ embedding: string }[]>`
      SELECT embedding::text AS embedding FROM faces WHERE user_id = ${users[0]!.id}::uuid`;
    const parsed = JSON.parse(row!.embedding) as number[];
    expect(parsed).toHaveLength(128);
    parsed.forEach((v, i) => expect(v).toBeCloseTo(users[0]!.vector[i]!, 6));
  });

  it('plans the search with the HNSW index', async () => {
    const probe = toSql(users[5]!.vector);
    const plan = await db.prisma.$transaction(async (tx) => {
      // With 200 rows a sequential scan is cheaper; forbid it so the test shows the index is usable.
      await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
      return tx.$queryRaw<{ 'QUERY PLAN': string }[]>`
        EXPLAIN SELECT id FROM faces ORDER BY embedding <=> ${probe}::vector LIMIT 5`;
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using faces_embedding_hnsw_idx/);
  });
});

describe('file-backed embedded database', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'face-db-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps data across close and reopen, and releases its lock on close', async () => {
    let started = performance.now();
    const fresh = await EmbeddedPostgres.start({ dataDir });
    const bootFresh = performance.now() - started;
    started = performance.now();
    const report = await new Migrator(fresh.url).migrate();
    const migrate = performance.now() - started;
    expect(report.applied).toEqual([INIT]);
    await fresh.close();

    const first = await createTestDatabase({ dataDir });
    await first.prisma.user.create({
      data: { name: 'Ada', email: 'ada@example.com', birthdate: new Date('1815-12-10') },
    });
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(true);
    await first.close();
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);

    started = performance.now();
    const existing = await EmbeddedPostgres.start({ dataDir });
    const bootExisting = performance.now() - started;
    await existing.close();

    const second = await createTestDatabase({ dataDir });
    try {
      const user = await second.prisma.user.findUnique({ where: { email: 'ada@example.com' } });
      expect(user?.name).toBe('Ada');
    } finally {
      await second.close();
    }
    console.log(
      `embedded boot: fresh dir ${bootFresh.toFixed(0)} ms, existing dir ${bootExisting.toFixed(0)} ms; ` +
        `first migration ${migrate.toFixed(0)} ms`,
    );
  }, 120_000);
});

function copyMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'face-migrations-'));
  cpSync(migrationsDir, dir, { recursive: true });
  return dir;
}

function toSql(v: number[]): string {
  return `[${v.join(',')}]`;
}
