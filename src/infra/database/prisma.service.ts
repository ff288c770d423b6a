import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/client/runtime/client';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client.js';

/**
 * The Prisma client repositories inject. It is the generated client and nothing more; the
 * connection is owned by `DatabaseService`, which starts the database and migrates it first.
 */
export class PrismaService extends PrismaClient {
  constructor(adapter: SqlDriverAdapterFactory) {
    super({ adapter });
  }
}

/** Session settings every pooled connection receives before its first query. */
export interface SessionSettings {
  /** `hnsw.ef_search`: how many candidates an HNSW index scan keeps (`SEARCH_EF`). */
  searchEf: number;
}

/**
 * Applies `SessionSettings` to one connection. `hnsw.iterative_scan` (pgvector ≥ 0.8) lets an
 * index scan continue past `ef_search` candidates when `WHERE model = …` filters some out, so a
 * filter cannot leave fewer than the k rows asked for; it is set only where the installed pgvector
 * knows it, because once pgvector is loaded an unknown `hnsw.*` name is an error. Relaxed order
 * is enough: the repository re-sorts the rows the index returns.
 */
export async function applySessionSettings(client: pg.ClientBase, settings: SessionSettings): Promise<void> {
  await client.query(
    `SELECT set_config('hnsw.ef_search', $1, false),
            CASE WHEN (SELECT string_to_array(substring(extversion FROM '^[0-9]+[.][0-9]+'), '.')::int[]
                       FROM pg_extension WHERE extname = 'vector') >= '{0,8}'
                 THEN set_config('hnsw.iterative_scan', 'relaxed_order', false) END`,
    [String(settings.searchEf)],
  );
}

/**
 * node-postgres pool settings for a server that accepts `poolSize` connections from us. With
 * `session`, each new connection is configured before the pool hands it out (pg-pool awaits
 * `onConnect`; a failure fails that checkout). A hook rather than a `-c` startup option because
 * PGlite's socket server ignores startup options.
 */
export function poolConfig(url: string, poolSize: number, session?: SessionSettings): pg.PoolConfig {
  return {
    connectionString: url,
    max: poolSize,
    // Fail fast when the server is down instead of queueing requests forever.
    connectionTimeoutMillis: 5_000,
    // PGlite's single connection is kept rather than reopened every few seconds of idleness.
    idleTimeoutMillis: poolSize === 1 ? 0 : 10_000,
    ...(session && {
      // pg-pool awaits onConnect (and fails the checkout on a rejection); its types say void.
      // eslint-disable-next-line @typescript-eslint/no-misused-promises
      onConnect: (client: pg.ClientBase) => applySessionSettings(client, session),
    }),
  };
}

/** A Prisma client for a known URL (scripts, tests); without `session`, pgvector's defaults hold. */
export function createPrismaClient(url: string, poolSize: number, session?: SessionSettings): PrismaService {
  return new PrismaService(new PrismaPg(poolConfig(url, poolSize, session)));
}

/**
 * Prisma's pg adapter, with the pool settings looked up when Prisma first connects. Nest builds
 * `PrismaService` before `onModuleInit` has started the database and learned its (ephemeral)
 * port; resolving late lets repositories receive the client at construction.
 */
export class DeferredPgAdapter implements SqlDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';
  private pool?: pg.Pool;

  constructor(private readonly resolvePool: () => pg.PoolConfig) {}

  connect(): ReturnType<SqlDriverAdapterFactory['connect']> {
    // Our own pool, handed to the adapter (which ends it on disconnect), so its state can be read.
    this.pool = new pg.Pool(this.resolvePool());
    return new PrismaPg(this.pool, { disposeExternalPool: true }).connect();
  }

  /** Connections of the current pool: in use, idle, and requests waiting for one. */
  stats(): { total: number; idle: number; waiting: number } {
    const pool = this.pool;
    return pool
      ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }
      : { total: 0, idle: 0, waiting: 0 };
  }
}
