import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, DataDirLock, LOCK_FILE_NAME } from './data-dir-lock.js';

// Linux pids never exceed 2^22, so this one cannot belong to a live process.
const DEAD_PID = 99_999_999;

describe('DataDirLock', () => {
  let dir: string;
  let lockPath: string;

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'lock-')), 'data');
    lockPath = join(dir, LOCK_FILE_NAME);
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('creates the directory and a lock file naming this process', () => {
    const lock = DataDirLock.acquire(dir);
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('refuses a second holder while the first is held, and admits one after release', () => {
    const lock = DataDirLock.acquire(dir);
    expect(() => DataDirLock.acquire(dir)).toThrow(DataDirInUseError);
    expect(() => DataDirLock.acquire(dir)).toThrow(
      `Data directory ${dir} is in use by process ${process.pid}; stop it or set DATA_DIR`,
    );
    lock.release();
    DataDirLock.acquire(dir).release();
  });

  it('refuses a lock held by another live process', () => {
    DataDirLock.acquire(dir).release();
    writeFileSync(lockPath, JSON.stringify({ pid: process.ppid }));
    expect(() => DataDirLock.acquire(dir)).toThrow(`in use by process ${process.ppid}`);
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toEqual({ pid: process.ppid });
  });

  it.each([
    ['a dead process', JSON.stringify({ pid: DEAD_PID })],
    [
      'this pid in an earlier life (a restarted container)',
      JSON.stringify({ pid: process.pid, token: 'old' }),
    ],
    ['unreadable content', 'garbage'],
  ])('takes over a stale lock left by %s', (_label, content) => {
    DataDirLock.acquire(dir).release();
    writeFileSync(lockPath, content);
    const lock = DataDirLock.acquire(dir);
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('does not delete a lock that another process took over meanwhile', () => {
    const lock = DataDirLock.acquire(dir);
    writeFileSync(lockPath, JSON.stringify({ pid: process.ppid, token: 'theirs' }));
    lock.release();
    expect(existsSync(lockPath)).toBe(true);
  });

  it('is released at most once', () => {
    const lock = DataDirLock.acquire(dir);
    lock.release();
    const next = DataDirLock.acquire(dir);
    lock.release();
    expect(existsSync(lockPath)).toBe(true);
    next.release();
  });
});
