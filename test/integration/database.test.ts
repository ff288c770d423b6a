import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../../src/infra/database/data-dir-lock.js';
import { EmbeddedPostgres } from '../../src/infra/database/embedded-postgres.js';
import { findMigrationsDir, migrationChecksum, readMigrations } from '../../src/infra/database/migrations.js';
import { MigrationChecksumError, MigrationFailedError, Migrator } from '../../src/infra/database/migrator.js';
import { createTestDatabase, TEST_ENGINE, TEST_SERVER_URL, type TestDatabase } from '../support/database.js';

const migrationsDir = findMigrationsDir();
const INIT = '20261125000000_init';
const ALL = readMigrations(migrationsDir).map((m) => m.name);

describe(`Migrator on an empty database (${TEST_ENGINE})`, () => {
  let db: TestDatabase;
  let server: TestDatabase['server'];
  let client: TestDatabase['prisma'];

  beforeAll(async () => {
    // Deliberately not the test helper's snapshot: this starts from an empty database.
    db = await createTestDatabase({ migrate: false });
    server = db.server;
    client = db.prisma;
  });
  afterAll(async () => db?.close());

  it('applies every migration once, recorded as Prisma records them', async () => {
    const first = await new Migrator(server.url).migrate();
    expect(first.applied).toEqual(ALL);

    const rows = await client.$queryRaw<
      {
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        logs: string | null;
        applied_steps_count: number;
      }[]
    >`SELECT migration_name, checksum, finished_at, logs, applied_steps_count FROM _prisma_migrations
      ORDER BY migration_name`;
    expect(rows).toHaveLength(ALL.length);
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
    expect(a.alreadyApplied).toEqual(ALL);
    const [{ count }] = (await client.$queryRaw<
      { count: bigint }[]
    >`SELECT count(*) FROM _prisma_migrations`) as [{ count: bigint }];
    expect(count).toBe(BigInt(ALL.length));
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

// Embedded-only, and the same in both tiers: not re-run against the real server.
describe.skipIf(TEST_SERVER_URL)('file-backed embedded database', () => {
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
    expect(report.applied).toEqual(ALL);
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
