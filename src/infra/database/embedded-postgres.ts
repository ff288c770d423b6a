import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { createWorker } from '../worker-launcher.js';
import { DataDirLock } from './data-dir-lock.js';
import type { DatabaseServer } from './database-server.js';
import type { EmbeddedDbInit, EmbeddedDbReply, EmbeddedDbRequest } from './embedded-db.protocol.js';

/** `DATA_DIR` value that keeps the embedded database in memory (tests). */
export const IN_MEMORY = 'memory://';

/** The socket file name node-postgres looks for in a `host=<directory>` (port 5432). */
const SOCKET_NAME = '.s.PGSQL.5432';
/** Unix socket paths longer than this do not fit in `sockaddr_un` on every platform. */
const MAX_SOCKET_PATH = 100;

const WORKER_URL = new URL(
  `./embedded-db.worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

export interface EmbeddedPostgresOptions {
  /** A directory to persist into, or `memory://`. */
  dataDir: string;
  /** A `dumpDataDir()` tarball to start from instead of running initdb (in-memory only). */
  loadDataDir?: Uint8Array;
}

/**
 * PGlite (PostgreSQL compiled to WASM, with pgvector) in a worker thread, served over the Postgres
 * wire protocol on a Unix socket in an owner-only directory, so the application talks to it exactly
 * as to a real server while no other local user — and nothing over TCP — can reach it. PGlite is a
 * single session: clients must use a pool of one connection. The server accepts two so that a
 * client replacing a broken connection is not refused while the old socket is torn down.
 */
export class EmbeddedPostgres implements DatabaseServer {
  readonly mode = 'embedded';
  readonly poolSize = 1;
  private closed = false;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: EmbeddedDbReply) => void>();

  private constructor(
    readonly dataDir: string,
    private readonly worker: Worker,
    private readonly lock: DataDirLock | undefined,
    private readonly socketDir: { path: string; temporary: boolean },
    readonly url: string,
  ) {
    worker.on('message', (reply: EmbeddedDbReply) => {
      if ('id' in reply) {
        this.pending.get(reply.id)?.(reply);
        this.pending.delete(reply.id);
      }
    });
  }

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const inMemory = options.dataDir === IN_MEMORY;
    if (options.loadDataDir && !inMemory) throw new Error('loadDataDir is only supported in memory');
    const socketDir = privateSocketDir(inMemory ? undefined : options.dataDir);
    const socketPath = path.join(socketDir.path, SOCKET_NAME);
    // The lock comes first: opening a directory another process is writing would corrupt it.
    // It records the socket, so that the project's CLI (same OS user) can find the running server.
    let lock: DataDirLock | undefined;
    try {
      lock = inMemory ? undefined : DataDirLock.acquire(options.dataDir, { socket: socketPath });
      // Holding the lock, any socket file left here is a crashed run's.
      rmSync(socketPath, { force: true });
    } catch (error) {
      if (socketDir.temporary) rmSync(socketDir.path, { recursive: true, force: true });
      throw error;
    }
    const loadDataDir = options.loadDataDir && Uint8Array.from(options.loadDataDir).buffer;
    const init: EmbeddedDbInit = {
      ...(inMemory ? {} : { dataDir: path.resolve(options.dataDir) }),
      ...(loadDataDir && { loadDataDir }),
      socketPath,
    };
    const worker = createWorker(WORKER_URL, init);
    try {
      await new Promise<void>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('exit', (code) =>
          reject(new Error(`The embedded database stopped while starting (exit ${code})`)),
        );
        worker.on('message', (reply: EmbeddedDbReply) => {
          if (reply.type === 'ready') resolve();
          if (reply.type === 'start-error')
            reject(new Error(`The embedded database did not start: ${reply.message}`));
        });
      });
    } catch (error) {
      await worker.terminate();
      lock?.release();
      if (socketDir.temporary) rmSync(socketDir.path, { recursive: true, force: true });
      throw error;
    }
    worker.removeAllListeners('message').removeAllListeners('exit').removeAllListeners('error');
    // node-postgres reads a directory in `host` as a Unix socket's (and appends .s.PGSQL.5432).
    const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir.path)}`;
    return new EmbeddedPostgres(options.dataDir, worker, lock, socketDir, url);
  }

  get socketDirectory(): string {
    return this.socketDir.path;
  }

  describe(): string {
    const where = this.dataDir === IN_MEMORY ? 'in memory' : `in ${this.dataDir}`;
    return `embedded PGlite with pgvector ${where}, served on a private Unix socket`;
  }

  /** A snapshot of the whole database (tests keep a migrated one to start from). */
  async dumpDataDir(): Promise<Uint8Array> {
    const reply = await this.request('dump');
    if (reply.type !== 'dump') throw new Error('Unexpected reply from the embedded database');
    return new Uint8Array(reply.bytes);
  }

  /** Stops the socket server, closes PGlite (flushing to disk) and releases the directory lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.request('close');
    } finally {
      await this.worker.terminate();
      this.lock?.release();
      if (this.socketDir.temporary) rmSync(this.socketDir.path, { recursive: true, force: true });
    }
  }

  private request(type: EmbeddedDbRequest['type']): Promise<EmbeddedDbReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) =>
        reply.type === 'error' ? reject(new Error(reply.message)) : resolve(reply),
      );
      this.worker.postMessage({ type, id } satisfies EmbeddedDbRequest);
    });
  }
}

/**
 * An owner-only (0700) directory for the socket: `.run` inside the data directory, or a fresh one
 * in the system's temp directory for an in-memory database or a data directory whose path would
 * make the socket's too long.
 */
function privateSocketDir(dataDir: string | undefined): { path: string; temporary: boolean } {
  if (dataDir) {
    const dir = path.resolve(dataDir, '.run');
    if (path.join(dir, SOCKET_NAME).length <= MAX_SOCKET_PATH) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      return { path: dir, temporary: false };
    }
  }
  return { path: mkdtempSync(path.join(tmpdir(), 'face-db-')), temporary: true };
}
