import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import type pg from 'pg';
import { AppConfig } from '../../config/app-config.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { type DatabaseServer, startDatabaseServer } from './database-server.js';
import { Migrator } from './migrator.js';
import { DeferredPgAdapter, poolConfig, PrismaService } from './prisma.service.js';
import { IN_MEMORY } from './embedded-postgres.js';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Owns the database for the application's lifetime: starts the embedded PGlite (or points at
 * `DATABASE_URL`), applies migrations, connects Prisma, and undoes all of it on shutdown.
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);
  readonly prisma: PrismaService;
  private server: DatabaseServer | undefined;

  private readonly adapter = new DeferredPgAdapter(() => this.currentPoolConfig());

  constructor(
    private readonly config: AppConfig,
    @Optional() metrics?: MetricsService,
  ) {
    this.prisma = new PrismaService(this.adapter);
    metrics?.addGauge('db_pool_connections', 'Database pool connections by state', 'state', () =>
      this.adapter.stats(),
    );
  }

  /** The owner-only directory of the embedded database's socket (for the local admin socket). */
  get socketDirectory(): string | undefined {
    return this.server?.socketDirectory;
  }

  /** 'embedded' or 'external' once started. */
  get mode(): DatabaseServer['mode'] | undefined {
    return this.server?.mode;
  }

  async onModuleInit(): Promise<void> {
    const started = performance.now();
    const { url, dataDir } = this.config.database;
    if (!url && dataDir !== IN_MEMORY && !existsSync(path.join(dataDir, 'PG_VERSION'))) {
      this.logger.log(`Creating the embedded database in ${dataDir} (first start: a few seconds)…`);
    }
    const server = await startDatabaseServer(this.config.database);
    this.server = server;
    try {
      this.logger.log(`Database: ${server.describe()} (pool of ${server.poolSize})`);
      await new Migrator(server.url, { logger: this.logger }).migrate();
      await this.prisma.$connect();
    } catch (error) {
      await this.close();
      throw error;
    }
    this.logger.log(`Database ready in ${(performance.now() - started).toFixed(0)} ms`);
  }

  // Closing here rather than in onModuleDestroy: Nest calls this last, after the HTTP server has
  // stopped and after every other module's destroy and before-shutdown hooks, which may still
  // need the database.
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /**
   * Readiness check: `SELECT 1` within `timeoutMs`. Returns false, never throws, when the database
   * is down, not started, or too busy to answer in time.
   */
  async ping(timeoutMs = 1_000): Promise<boolean> {
    if (!this.server) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const query = this.prisma.$queryRaw`SELECT 1`.then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Disconnects Prisma, then stops the embedded server and releases its data directory. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    try {
      await this.prisma.$disconnect();
    } finally {
      await server.close();
      this.logger.log('Database closed');
    }
  }

  private currentPoolConfig(): pg.PoolConfig {
    if (!this.server)
      throw new Error('The database is not started (DatabaseService.onModuleInit has not run)');
    return poolConfig(this.server.url, this.server.poolSize, this.config.database);
  }
}
