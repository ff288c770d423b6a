#!/usr/bin/env node
/**
 * `face-admin <apikey|reembed> <command> [--json]` (npm: `npm run apikey -- …`, `npm run reembed -- …`;
 * compiled to dist/cli/face-admin.js, the package's `face-admin` bin). Administers the service from
 * the shell, with or without the server running:
 * - the server is running on the embedded database: the command is sent over its local admin
 *   socket (owner-only, in the data directory) and runs in the server;
 * - otherwise it opens the database itself — the API-key tool with the database alone, the
 *   re-embedding tool with the models too — and never starts the HTTP server.
 */
import 'reflect-metadata';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { ApiKeysRepository } from '../api-keys/api-keys.repository.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AppLogger } from '../common/logging/app-logger.js';
import { type AppConfig, loadConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { GalleryModule } from '../gallery/gallery.module.js';
import { REEMBED_AUTO_RESUME, ReembedService } from '../gallery/reembed/reembed.service.js';
import { DataDirInUseError } from '../infra/database/data-dir-lock.js';
import { DatabaseModule } from '../infra/database/database.module.js';
import { startDatabaseServer } from '../infra/database/database-server.js';
import { Migrator } from '../infra/database/migrator.js';
import { createPrismaClient } from '../infra/database/prisma.service.js';
import { ADMIN_TOOLS, runAdminCommand, type AdminServices } from '../local-admin/admin-commands.js';
import { sendToLocalAdmin } from './local-admin-client.js';

/** The re-embedding tool's context: database and models, no HTTP server, no automatic job pickup. */
@Module({})
class ReembedCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ReembedCliModule,
      global: true, // so that GalleryModule's ReembedService sees the flag
      imports: [ConfigModule.forRoot(config), DatabaseModule, GalleryModule],
      providers: [{ provide: REEMBED_AUTO_RESUME, useValue: false }],
      exports: [REEMBED_AUTO_RESUME],
    };
  }
}

/** Services opened by this process, on first use, and closed at the end. */
class LocalServices implements AdminServices {
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(private readonly config: AppConfig) {}

  async apiKeys(): Promise<ApiKeysService> {
    const server = await startDatabaseServer(this.config.database);
    const prisma = createPrismaClient(server.url, server.poolSize);
    this.closers.push(async () => {
      await prisma.$disconnect();
      await server.close();
    });
    // A first key may be created before the server has ever started on this database.
    await new Migrator(server.url, {
      logger: { log: () => undefined, warn: (m) => console.warn(m) },
    }).migrate();
    return new ApiKeysService(new ApiKeysRepository(prisma));
  }

  async reembed(): Promise<ReembedService> {
    const app: INestApplicationContext = await NestFactory.createApplicationContext(
      ReembedCliModule.forRoot(this.config),
      { logger: new AppLogger('warn'), abortOnError: false },
    );
    this.closers.push(() => app.close());
    const stop = () => void app.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return app.get(ReembedService);
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close();
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { json: { type: 'boolean' } },
    allowPositionals: true,
    strict: false,
  });
  const [tool = 'help', ...rest] = positionals;
  const argv = process.argv.slice(2).filter((a) => a !== '--json' && a !== tool);
  const json = values.json === true;
  const logs: string[] = [];
  const data: unknown[] = [];
  const out = {
    log: (m: string) => (json ? logs.push(m) : console.log(m)),
    data: (v: unknown) => data.push(v),
  };
  if (!(ADMIN_TOOLS as readonly string[]).includes(tool) || rest[0] === 'help' || argv.includes('--help')) {
    return runAdminCommand(tool, argv, unavailable, out);
  }

  const config = loadConfig();
  const local = new LocalServices(config);
  let code: number;
  try {
    code = await runAdminCommand(tool, argv, local, out, true);
  } catch (error) {
    if (!(error instanceof DataDirInUseError) || !error.socket) throw error;
    // The server holds the embedded database: ask it to run the command.
    const reply = await sendToLocalAdmin(error.socket, { tool, argv });
    for (const line of reply.logs) out.log(line);
    for (const value of reply.data) out.data(value);
    code = reply.code;
  } finally {
    await local.close();
  }
  if (json) console.log(JSON.stringify(data.length === 1 ? data[0] : data, null, 2));
  if (json && code !== 0) console.error(logs.join('\n'));
  return code;
}

/** Help and usage errors are answered before any service is opened. */
const unavailable: AdminServices = {
  apiKeys: () => Promise.reject(new Error('not opened for help')),
  reembed: () => Promise.reject(new Error('not opened for help')),
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`face-admin: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
