import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { checksumMatches, findMigrationsDir, type MigrationFile, readMigrations } from './migrations.js';

/**
 * The advisory-lock key Prisma's schema engine takes around `migrate deploy`. Using the same key
 * serialises this migrator with other app instances and with Prisma's own CLI.
 */
export const MIGRATION_LOCK_KEY = 72707369;

// Prisma's own definition (schema engine, PostgreSQL flavour), so either tool can read the table.
const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
  )`;

export interface MigratorLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface MigratorOptions {
  migrationsDir?: string;
  /** How long to wait for another instance that is migrating the same database. */
  lockTimeoutMs?: number;
  logger?: MigratorLogger;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
  durationMs: number;
}

export class MigrationChecksumError extends Error {
  constructor(
    readonly migrationName: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `Migration ${migrationName} was modified after it was applied (checksum in database ${expected}, ` +
        `file ${actual}). Restore the original file and put the change in a new migration.`,
    );
    this.name = 'MigrationChecksumError';
  }
}

export class MigrationFailedError extends Error {
  constructor(
    readonly migrationName: string,
    cause: unknown,
  ) {
    super(
      `Migration ${migrationName} failed and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'MigrationFailedError';
  }
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * Applies `prisma/migrations/<name>/migration.sql` in name order and records each in
 * `_prisma_migrations` the way Prisma does, so `prisma migrate deploy` later sees a clean history.
 * Unlike Prisma, each migration runs in one transaction with its bookkeeping row: a failure leaves
 * the database as it was, and the next start retries it. (So a migration cannot use statements
 * that refuse to run in a transaction, such as CREATE INDEX CONCURRENTLY.)
 */
export class Migrator {
  // On PGlite every connection shares one session, where advisory locks are re-entrant and so
  // exclude nothing; migrators in one process therefore also queue behind each other here.
  private static queue: Promise<unknown> = Promise.resolve();
  private readonly migrationsDir: string;

  constructor(
    private readonly connectionString: string,
    private readonly options: MigratorOptions = {},
  ) {
    this.migrationsDir = options.migrationsDir ?? findMigrationsDir();
  }

  migrate(): Promise<MigrationReport> {
    const run = Migrator.queue.then(() => this.migrateNow());
    Migrator.queue = run.catch(() => undefined);
    return run;
  }

  private async migrateNow(): Promise<MigrationReport> {
    const started = performance.now();
    const files = readMigrations(this.migrationsDir);
    // A dedicated connection: the advisory lock belongs to a session, and the migration scripts
    // hold several statements, which only the simple query protocol accepts.
    const client = new pg.Client({
      connectionString: this.connectionString,
      connectionTimeoutMillis: 10_000,
    });
    // A lost connection also rejects the query in flight; without a listener the 'error' event
    // would crash the process instead.
    client.on('error', () => undefined);
    await client.connect();
    try {
      await this.acquireLock(client);
      try {
        await this.ensureMigrationsTable(client);
        const pending = this.pendingMigrations(files, await this.appliedMigrations(client));
        for (const migration of pending) await this.apply(client, migration);
        const applied = pending.map((m) => m.name);
        const report = {
          applied,
          alreadyApplied: files.map((f) => f.name).filter((name) => !applied.includes(name)),
          durationMs: performance.now() - started,
        };
        this.options.logger?.log(
          applied.length > 0
            ? `Applied ${applied.length} migration(s) in ${report.durationMs.toFixed(0)} ms: ${applied.join(', ')}`
            : `Database schema is up to date (${files.length} migration(s))`,
        );
        return report;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  // Polling pg_try_advisory_lock, rather than a blocking pg_advisory_lock, bounds the wait and
  // leaves no lock request behind if we give up.
  private async acquireLock(client: pg.Client): Promise<void> {
    const deadline = Date.now() + (this.options.lockTimeoutMs ?? 60_000);
    for (;;) {
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        MIGRATION_LOCK_KEY,
      ]);
      if (result.rows[0]?.locked) return;
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for the migration lock (pg_advisory_lock ${MIGRATION_LOCK_KEY}); ` +
            'another instance or `prisma migrate` is migrating this database',
        );
      }
      await sleep(250);
    }
  }

  // Checked first because CREATE TABLE IF NOT EXISTS still needs the CREATE privilege, which a
  // deployment's runtime role may lack once the table exists.
  private async ensureMigrationsTable(client: pg.Client): Promise<void> {
    const result = await client.query<{ exists: boolean }>(
      "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists",
    );
    if (!result.rows[0]?.exists) await client.query(CREATE_MIGRATIONS_TABLE);
  }

  private async appliedMigrations(client: pg.Client): Promise<AppliedRow[]> {
    const result = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations WHERE rolled_back_at IS NULL ORDER BY started_at',
    );
    return result.rows;
  }

  private pendingMigrations(files: MigrationFile[], rows: AppliedRow[]): MigrationFile[] {
    const unfinished = rows.find((row) => row.finished_at === null);
    if (unfinished) {
      // Only Prisma's CLI leaves such a row (this migrator's failures roll back entirely).
      throw new Error(
        `Migration ${unfinished.migration_name} was started but never finished; fix the database by hand, then ` +
          `run \`prisma migrate resolve --rolled-back ${unfinished.migration_name}\``,
      );
    }
    const byName = new Map(rows.map((row) => [row.migration_name, row]));
    for (const row of rows) {
      if (!files.some((f) => f.name === row.migration_name)) {
        this.options.logger?.warn(
          `Migration ${row.migration_name} is applied but missing from ${this.migrationsDir}`,
        );
      }
    }
    return files.filter((file) => {
      const row = byName.get(file.name);
      if (!row) return true;
      if (!checksumMatches(file.sql, row.checksum))
        throw new MigrationChecksumError(file.name, row.checksum, file.checksum);
      return false;
    });
  }

  private async apply(client: pg.Client, migration: MigrationFile): Promise<void> {
    const started = performance.now();
    await client.query('BEGIN');
    try {
      await client.query(migration.sql);
      // started_at is now() (the transaction's start); finished_at is the wall clock after the
      // script. applied_steps_count is 1 because Prisma counts a whole script as one step.
      await client.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new MigrationFailedError(migration.name, error);
    }
    this.options.logger?.log(
      `Applied migration ${migration.name} in ${(performance.now() - started).toFixed(0)} ms`,
    );
  }
}
