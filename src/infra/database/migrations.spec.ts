import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksumMatches, findMigrationsDir, migrationChecksum, readMigrations } from './migrations.js';

describe('migration checksums', () => {
  it('are the zero-padded SHA-256 hex that Prisma writes', () => {
    // The value Prisma's own test pins for "hello".
    expect(migrationChecksum('hello')).toBe(
      '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    );
  });

  it('match across LF and CRLF line endings but not across edits', () => {
    const lf = 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n';
    const crlf = lf.replaceAll('\n', '\r\n');
    expect(checksumMatches(crlf, migrationChecksum(lf))).toBe(true);
    expect(checksumMatches(lf, migrationChecksum(crlf))).toBe(true);
    expect(checksumMatches(`${lf}-- edit\n`, migrationChecksum(lf))).toBe(false);
  });

  it('accept the unpadded hex of old Prisma versions', () => {
    const script = 'abc';
    const unpadded = [...Buffer.from(migrationChecksum(script), 'hex')].map((b) => b.toString(16)).join('');
    expect(unpadded.length).toBeLessThan(64);
    expect(checksumMatches(script, unpadded)).toBe(true);
  });
});

describe('readMigrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function add(name: string, sql: string): void {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }

  it('orders directories by name and skips loose files', () => {
    add('20260102000000_second', 'SELECT 2;');
    add('20260101000000_first', 'SELECT 1;');
    writeFileSync(join(dir, 'migration_lock.toml'), 'provider = "postgresql"');
    const migrations = readMigrations(dir);
    expect(migrations.map((m) => m.name)).toEqual(['20260101000000_first', '20260102000000_second']);
    expect(migrations[0]).toMatchObject({ sql: 'SELECT 1;', checksum: migrationChecksum('SELECT 1;') });
  });

  it('rejects a directory without migration.sql', () => {
    mkdirSync(join(dir, '20260101000000_empty'));
    expect(() => readMigrations(dir)).toThrow(/has no migration.sql/);
  });
});

describe('findMigrationsDir', () => {
  it("finds the project's prisma/migrations from this module", () => {
    expect(findMigrationsDir()).toMatch(/prisma[\\/]migrations$/);
    expect(readMigrations(findMigrationsDir()).length).toBeGreaterThan(0);
  });

  it('says where it looked when there is none', () => {
    expect(() => findMigrationsDir(tmpdir())).toThrow(/No prisma\/migrations directory found above/);
  });
});
