import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DatabaseServer, ExternalPostgres } from '../../src/infra/database/database-server.js';
import { EmbeddedPostgres, IN_MEMORY } from '../../src/infra/database/embedded-postgres.js';
import { findMigrationsDir, readMigrations } from '../../src/infra/database/migrations.js';
import { Migrator } from '../../src/infra/database/migrator.js';
import { createPrismaClient, type PrismaService } from '../../src/infra/database/prisma.service.js';

export interface TestDatabase {
  readonly prisma: PrismaService;
  readonly server: DatabaseServer;
  readonly url: string;
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** A directory to persist into (always the embedded engine); in memory by default. */
  dataDir?: string;
  /** Leave the database empty: no migrations (the migrator's own tests). */
  migrate?: boolean;
}

/**
 * The real PostgreSQL + pgvector server the database tests run against instead of the embedded
 * engine (`npm run test:pg` sets it), or undefined for the embedded tier. Its URL's user must be
 * allowed to create databases: each test database is a fresh one on that server.
 */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL || undefined;

/** Which engine this run's database tests use, for test names. */
export const TEST_ENGINE = TEST_SERVER_URL ? 'PostgreSQL + pgvector' : 'embedded PGlite';

/**
 * A migrated database with a connected Prisma client, exactly as the app runs it: by default an
 * embedded one on a free port, or a fresh database on the real server when `TEST_DATABASE_URL` is
 * set. Embedded in-memory databases start from a cached snapshot of a freshly migrated one (initdb
 * alone takes ~4 s; loading the snapshot ~1 s); the migrator still runs, as a check.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const dataDir = options.dataDir ?? IN_MEMORY;
  const server: DatabaseServer = options.dataDir
    ? await EmbeddedPostgres.start({ dataDir })
    : TEST_SERVER_URL
      ? await createServerDatabase(TEST_SERVER_URL)
      : options.migrate === false
        ? await EmbeddedPostgres.start({ dataDir })
        : await startFromTemplate();
  try {
    if (options.migrate !== false) await new Migrator(server.url).migrate();
    const prisma = createPrismaClient(server.url, server.poolSize);
    await prisma.$connect();
    return {
      prisma,
      server,
      url: server.url,
      async close() {
        try {
          await prisma.$disconnect();
        } finally {
          await server.close();
        }
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Empties every application table (not the migration history), for tests sharing one database. */
export async function truncateAll(prisma: PrismaService): Promise<void> {
  const tables = await prisma.$queryRaw<{ tablename: string }[]>`
    SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;
  if (tables.length === 0) return;
  const list = tables.map((t) => `"${t.tablename.replaceAll('"', '""')}"`).join(', ');
  await prisma.$executeRawUnsafe(`TRUNCATE ${list} RESTART IDENTITY CASCADE`);
}

/**
 * A fresh, empty database on the real server, dropped on close (with the connections still open to
 * it: a test that fails half-way must not leave it behind).
 */
export async function createServerDatabase(serverUrl: string, poolSize = 5): Promise<DatabaseServer> {
  const name = `face_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const server = new ExternalPostgres(url.toString(), poolSize);
  return Object.assign(server, {
    close: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  });
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function startFromTemplate(): Promise<EmbeddedPostgres> {
  const path = templatePath();
  let template: Buffer | undefined;
  try {
    template = readFileSync(path);
  } catch {
    // No snapshot yet: build one below.
  }
  if (template) {
    try {
      return await EmbeddedPostgres.start({ dataDir: IN_MEMORY, loadDataDir: template });
    } catch {
      // A truncated or incompatible snapshot: rebuild it.
    }
  }
  const server = await EmbeddedPostgres.start({ dataDir: IN_MEMORY });
  await new Migrator(server.url).migrate();
  const dump = await server.dumpDataDir();
  // Written aside and renamed, so parallel test workers never read a half-written snapshot.
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, dump);
  renameSync(partial, path);
  return server;
}

/** One snapshot per set of migrations and PGlite/pgvector versions, in the OS temp directory. */
function templatePath(): string {
  const migrationsDir = findMigrationsDir();
  const hash = createHash('sha256');
  for (const pkg of ['pglite', 'pglite-pgvector']) {
    const manifest = join(migrationsDir, '../../node_modules/@electric-sql', pkg, 'package.json');
    hash.update(`${pkg}@${(JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version}\n`);
  }
  for (const migration of readMigrations(migrationsDir))
    hash.update(`${migration.name}:${migration.checksum}\n`);
  const dir = join(tmpdir(), 'face-recognition-test-db');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${hash.digest('hex').slice(0, 16)}.tar`);
}

/**
 * Configuration for an application under test: the embedded database in memory, or in the
 * real-server tier a fresh database on that server (`release` drops it once the app is closed).
 */
export async function testDatabaseEnv(): Promise<{ env: Record<string, string>; release(): Promise<void> }> {
  if (!TEST_SERVER_URL) return { env: { DATA_DIR: IN_MEMORY }, release: async () => undefined };
  const server = await createServerDatabase(TEST_SERVER_URL);
  return { env: { DATABASE_URL: server.url }, release: () => server.close() };
}
