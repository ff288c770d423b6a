/** Messages between `EmbeddedPostgres` (main thread) and the worker that hosts PGlite. */

export interface EmbeddedDbInit {
  /** Directory to persist into; undefined keeps the database in memory. */
  dataDir?: string;
  /** A `dumpDataDir()` tarball to start from (in memory only). */
  loadDataDir?: ArrayBuffer;
  /** The Unix socket to serve the Postgres wire protocol on. */
  socketPath: string;
}

export type EmbeddedDbRequest = { type: 'close'; id: number } | { type: 'dump'; id: number };

export type EmbeddedDbReply =
  | { type: 'ready' }
  | { type: 'start-error'; message: string }
  | { type: 'closed'; id: number }
  | { type: 'dump'; id: number; bytes: ArrayBuffer }
  | { type: 'error'; id: number; message: string };
