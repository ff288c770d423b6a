import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { chmodSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { EmbeddedDbInit, EmbeddedDbReply, EmbeddedDbRequest } from './embedded-db.protocol.js';

/**
 * Hosts PGlite (PostgreSQL compiled to WebAssembly) and its wire-protocol server in a worker
 * thread. A query runs its WASM on the thread that owns the database; here that is not the HTTP
 * server's event loop, so a long query or an index build no longer stalls health checks and
 * uploads. The server listens on a Unix socket in an owner-only directory: no TCP port, and no
 * other local user can connect (PGlite itself checks no password).
 */

const port = parentPort;
if (!port) throw new Error('embedded-db.worker must run in a worker thread');
const init = workerData as EmbeddedDbInit;
let db: PGlite | undefined;
let server: PGLiteSocketServer | undefined;

function reply(message: EmbeddedDbReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function start(): Promise<void> {
  const extensions = { vector };
  db = init.dataDir
    ? await PGlite.create(init.dataDir, { extensions })
    : await PGlite.create({
        extensions,
        ...(init.loadDataDir && { loadDataDir: new Blob([init.loadDataDir]) }),
      });
  server = new PGLiteSocketServer({ db, path: init.socketPath, maxConnections: 2 });
  await server.start();
  // Owner-only even where the umask is lax; the directory around it is owner-only too.
  chmodSync(init.socketPath, 0o600);
}

async function stop(): Promise<void> {
  try {
    await server?.stop();
  } finally {
    await db?.close();
  }
}

port.on('message', (request: EmbeddedDbRequest) => {
  void (async () => {
    try {
      if (request.type === 'close') {
        await stop();
        reply({ type: 'closed', id: request.id });
      } else {
        const blob = await db!.dumpDataDir('none');
        const bytes = await blob.arrayBuffer();
        reply({ type: 'dump', id: request.id, bytes }, [bytes]);
      }
    } catch (error) {
      reply({
        type: 'error',
        id: request.id,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  })();
});

start().then(
  () => reply({ type: 'ready' }),
  (error: unknown) =>
    reply({ type: 'start-error', message: error instanceof Error ? error.message : String(error) }),
);
