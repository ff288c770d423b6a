import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One `prisma/migrations/<name>/migration.sql`, as `prisma migrate deploy` would read it. */
export interface MigrationFile {
  name: string;
  path: string;
  sql: string;
  checksum: string;
}

/**
 * The SHA-256 of the script as lowercase hex: exactly what Prisma's schema engine stores in
 * `_prisma_migrations.checksum`, so its `migrate deploy` accepts the rows this migrator writes.
 */
export function migrationChecksum(script: string | Buffer): string {
  return createHash('sha256').update(script).digest('hex');
}

/**
 * Whether a stored checksum still matches the script. Like Prisma, this ignores a change between
 * LF and CRLF line endings (git may convert them on checkout) and accepts the unpadded hex that
 * old Prisma versions wrote.
 */
export function checksumMatches(script: string, stored: string): boolean {
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')];
  return variants.some((variant) => {
    const digest = createHash('sha256').update(variant).digest();
    const hex =
      stored.length === 64 ? digest.toString('hex') : [...digest].map((b) => b.toString(16)).join('');
    return hex === stored;
  });
}

/** Reads every migration directory, ordered by name (Prisma names start with a timestamp). */
export function readMigrations(migrationsDir: string): MigrationFile[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const path = join(migrationsDir, name, 'migration.sql');
      if (!existsSync(path)) throw new Error(`Migration directory ${name} has no migration.sql (${path})`);
      const bytes = readFileSync(path);
      return { name, path, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
    });
}

/**
 * Finds `prisma/migrations` by walking up from this module. The same walk works from
 * `src/infra/database` (vitest, tsx) and from the compiled `dist/infra/database`.
 */
export function findMigrationsDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  const root = parse(dir).root;
  for (;;) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    if (dir === root) break;
    dir = dirname(dir);
  }
  throw new Error(
    `No prisma/migrations directory found above ${from}; deploy it next to dist/ (the app applies it at boot)`,
  );
}
