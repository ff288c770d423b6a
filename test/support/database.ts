import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres, IN_MEMORY } from '../../src/infra/database/embedded-postgres.js';
import { findMigrationsDir, readMigrations } from '../../src/infra/database/migrations.js';
import { Migrator } from '../../src/infra/database/migrator.js';
import { createPrismaClient, type PrismaService } from '../../src/infra/database/prisma.service.js';

export interface TestDatabase {
  readonly prisma: PrismaService;
  readonly server: EmbeddedPostgres;
  readonly url: string;
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** A directory to persist into; in memory by default. */
  dataDir?: string;
}

/**
 * A migrated embedded database with a connected Prisma client, served on a free port, exactly as
 * the app runs it. In-memory databases start from a cached snapshot of a freshly migrated one
 * (initdb alone takes ~4 s; loading the snapshot ~1 s); the migrator still runs, as a check.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const dataDir = options.dataDir ?? IN_MEMORY;
  const server =
    dataDir === IN_MEMORY ? await startFromTemplate() : await EmbeddedPostgres.start({ dataDir });
  try {
    await new Migrator(server.url).migrate();
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
