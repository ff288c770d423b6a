import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../../src/infra/database/data-dir-lock.js';
import { EmbeddedPostgres } from '../../src/infra/database/embedded-postgres.js';
import { createTestDatabase } from '../support/database.js';

const CHILD = new URL('../support/open-embedded.ts', import.meta.url).pathname;

// The 120 s timeouts: child processes boot PGlite under tsx, which on a loaded 2-core machine
// takes far longer than the usual few seconds.
describe('data directory lock across processes', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'face-db-lock-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a second process while the directory is open, and admits it after close', async () => {
    const server = await EmbeddedPostgres.start({ dataDir });
    try {
      const refused = await finished(startChild(dataDir));
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        `Data directory ${dataDir} is in use by process ${process.pid}; stop it or set DATA_DIR`,
      );
    } finally {
      await server.close();
    }
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
    const admitted = await finished(startChild(dataDir));
    expect(admitted).toMatchObject({ code: 0, stdout: expect.stringContaining('opened') });
  }, 120_000);

  it('takes over the lock of a process killed with SIGKILL, and its data is intact', async () => {
    const seeded = await createTestDatabase({ dataDir });
    await seeded.prisma.counter.create({ data: { name: 'before-crash', value: 7n } });
    await seeded.close();

    const holder = startChild(dataDir, '--hold');
    const result = finished(holder);
    await new Promise<void>((resolve, reject) => {
      holder.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('opened') && resolve());
      holder.on('exit', () => reject(new Error('the holder exited before opening the database')));
    });
    const lock = JSON.parse(readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(holder.pid);
    holder.kill('SIGKILL');
    expect((await result).signal).toBe('SIGKILL');
    // No shutdown ran, so the dead process's lock is still there.
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(true);

    const reopened = await createTestDatabase({ dataDir });
    try {
      expect(await reopened.prisma.counter.findUnique({ where: { name: 'before-crash' } })).toMatchObject({
        value: 7n,
      });
    } finally {
      await reopened.close();
    }
  }, 120_000);
});

function startChild(dataDir: string, ...args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, ...args], { stdio: 'pipe' });
}

function finished(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
