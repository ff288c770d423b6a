import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** Name of the lock file kept inside the embedded database's data directory. */
export const LOCK_FILE_NAME = 'service.lock';

interface LockOwner {
  pid: number;
  hostname?: string;
  startedAt?: string;
  token?: string;
  /** The owner's database socket (embedded mode), for the project's CLI to reach it. */
  socket?: string;
}

/** Another live process holds the data directory. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
    /** Where the owner serves the database, when it recorded it. */
    readonly socket?: string,
  ) {
    super(`Data directory ${dataDir} is in use by process ${ownerPid}; stop it or set DATA_DIR`);
    this.name = 'DataDirInUseError';
  }
}

// Paths locked by this process. A lock file naming our own pid that is not in this set was left
// behind by an earlier process that happened to get the same pid (a container restarted as pid 1).
const heldByThisProcess = new Set<string>();

/**
 * Exclusive lock on a data directory. PGlite has no lock of its own, and two processes writing one
 * directory corrupt it, so the second one must be refused before it opens the database.
 */
export class DataDirLock {
  private released = false;
  private readonly onExit = (): void => this.removeIfOurs();

  private constructor(
    readonly dataDir: string,
    readonly path: string,
    private readonly token: string,
  ) {
    // Nest's shutdown hooks do not run on process.exit(); a synchronous unlink here still does, so
    // only a crash or kill -9 leaves a stale lock (taken over on the next start).
    process.once('exit', this.onExit);
  }

  /** Takes the lock, creating the directory if needed. Throws `DataDirInUseError` when held. */
  static acquire(dataDir: string, details: { socket?: string } = {}): DataDirLock {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, LOCK_FILE_NAME);
    const owner: LockOwner = {
      pid: process.pid,
      hostname: hostname(),
      startedAt: new Date().toISOString(),
      token: randomUUID(),
      ...details,
    };
    // Retries follow removing a stale lock. If two processes take over the same stale lock at the
    // same instant both may succeed; that needs a crash and a simultaneous double start, and
    // flock() is not reachable from Node without a native module.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (createExclusive(path, owner)) {
        heldByThisProcess.add(path);
        return new DataDirLock(dataDir, path, owner.token ?? '');
      }
      const existing = readOwner(path);
      if (existing === undefined) continue; // Released between our attempt and the read.
      if (isAlive(existing.pid, path)) throw new DataDirInUseError(dataDir, existing.pid, existing.socket);
      removeFile(path);
    }
    throw new DataDirInUseError(dataDir, readOwner(path)?.pid ?? -1);
  }

  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    this.removeIfOurs();
  }

  private removeIfOurs(): void {
    heldByThisProcess.delete(this.path);
    if (readOwner(this.path)?.token === this.token) removeFile(this.path);
  }
}

/**
 * Creates the lock file with its content in one atomic step: the content goes to a private file
 * first and is hard-linked into place, so no reader ever sees an empty, half-written lock.
 * Filesystems without hard links fall back to an exclusive create.
 */
function createExclusive(path: string, owner: LockOwner): boolean {
  const content = `${JSON.stringify(owner)}\n`;
  const temp = `${path}.${process.pid}.${owner.token ?? ''}.tmp`;
  writeFileSync(temp, content);
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(errorCode(error) ?? '')) throw error;
    try {
      writeFileSync(path, content, { flag: 'wx' });
      return true;
    } catch (fallbackError) {
      if (errorCode(fallbackError) === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    removeFile(temp);
  }
}

function readOwner(path: string): LockOwner | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && Number.isInteger(parsed.pid)) return parsed as LockOwner;
  } catch {
    // Fall through: an unreadable lock (hand-edited, or written by the wx fallback while crashing)
    // cannot name a live owner, so it is treated as stale.
  }
  return { pid: 0 };
}

function isAlive(pid: number, path: string): boolean {
  if (pid <= 0) return false;
  if (pid === process.pid) return heldByThisProcess.has(path);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return errorCode(error) === 'EPERM';
  }
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
