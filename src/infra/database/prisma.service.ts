import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/client/runtime/client';
import type pg from 'pg';
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

/** node-postgres pool settings for a server that accepts `poolSize` connections from us. */
export function poolConfig(url: string, poolSize: number): pg.PoolConfig {
  return {
    connectionString: url,
    max: poolSize,
    // Fail fast when the server is down instead of queueing requests forever.
    connectionTimeoutMillis: 5_000,
    // PGlite's single connection is kept rather than reopened every few seconds of idleness.
    idleTimeoutMillis: poolSize === 1 ? 0 : 10_000,
  };
}

/** A Prisma client for a known URL (scripts, tests). */
export function createPrismaClient(url: string, poolSize: number): PrismaService {
  return new PrismaService(new PrismaPg(poolConfig(url, poolSize)));
}

/**
 * Prisma's pg adapter, with the pool settings looked up when Prisma first connects. Nest builds
 * `PrismaService` before `onModuleInit` has started the database and learned its (ephemeral)
 * port; resolving late lets repositories receive the client at construction.
 */
export class DeferredPgAdapter implements SqlDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';

  constructor(private readonly resolvePool: () => pg.PoolConfig) {}

  connect(): ReturnType<SqlDriverAdapterFactory['connect']> {
    return new PrismaPg(this.resolvePool()).connect();
  }
}
