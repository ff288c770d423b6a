import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataDirLock } from './data-dir-lock.js';
import type { DatabaseServer } from './database-server.js';

/** `DATA_DIR` value that keeps the embedded database in memory (tests). */
export const IN_MEMORY = 'memory://';

export interface EmbeddedPostgresOptions {
  /** A directory to persist into, or `memory://`. */
  dataDir: string;
  /** Interface the socket server binds to; loopback by default so nothing outside can connect. */
  host?: string;
  /** 0 picks a free port, so several instances (test workers) never collide. */
  port?: number;
  /** A `dumpDataDir()` tarball to start from instead of running initdb (in-memory only). */
  loadDataDir?: Blob;
}

/**
 * PGlite (PostgreSQL compiled to WASM, with pgvector) served over the Postgres wire protocol, so
 * the application talks to it exactly as to a real server. PGlite is a single session: clients
 * must use a pool of one connection. The server accepts two so that a client replacing a broken
 * connection is not refused while the old socket is still being torn down.
 */
export class EmbeddedPostgres implements DatabaseServer {
  readonly mode = 'embedded';
  readonly poolSize = 1;
  private closed = false;

  private constructor(
    readonly dataDir: string,
    readonly pglite: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly lock: DataDirLock | undefined,
    readonly url: string,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const inMemory = options.dataDir === IN_MEMORY;
    if (options.loadDataDir && !inMemory) throw new Error('loadDataDir is only supported in memory');
    // The lock comes first: opening a directory another process is writing would corrupt it.
    const lock = inMemory ? undefined : DataDirLock.acquire(options.dataDir);
    let pglite: PGlite | undefined;
    try {
      const extensions = { vector };
      pglite = inMemory
        ? await PGlite.create({ extensions, loadDataDir: options.loadDataDir })
        : await PGlite.create(options.dataDir, { extensions });
      const server = new PGLiteSocketServer({
        db: pglite,
        host: options.host ?? '127.0.0.1',
        port: options.port ?? 0,
        maxConnections: 2,
      });
      await server.start();
      // getServerConn() reports the port the OS assigned when port 0 was asked for.
      const url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;
      return new EmbeddedPostgres(options.dataDir, pglite, server, lock, url);
    } catch (error) {
      await pglite?.close().catch(() => undefined);
      lock?.release();
      throw error;
    }
  }

  describe(): string {
    const where = this.dataDir === IN_MEMORY ? 'in memory' : `in ${this.dataDir}`;
    return `embedded PGlite with pgvector ${where}, served on ${this.address}`;
  }

  get address(): string {
    return new URL(this.url).host;
  }

  /** Stops the socket server, closes PGlite (flushing to disk) and releases the directory lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.server.stop();
      await this.pglite.close();
    } finally {
      this.lock?.release();
    }
  }
}
