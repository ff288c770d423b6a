import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { createApp } from './app.factory.js';
import { GracefulShutdown } from './common/shutdown/graceful-shutdown.js';
import { type AppConfig, ConfigValidationError, loadConfig } from './config/app-config.js';
import { DataDirInUseError } from './infra/database/data-dir-lock.js';
import { ModelFileError } from './infra/inference/model-files.js';
import { ProfileError } from './infra/inference/profiles/profile-catalog.js';

class PortInUseError extends Error {}

/** Boot failures whose message says what to do: printed without a stack trace. */
const EXPLAINED = [ConfigValidationError, DataDirInUseError, ModelFileError, ProfileError, PortInUseError];

async function main(): Promise<void> {
  const config = loadConfig();
  // Before any boot work (models, database, the bootstrap key): a taken port fails at once.
  await ensurePortFree(config);
  const shutdown = new GracefulShutdown();
  const app = await createApp(config, { shutdown });
  await app.listen(config.server.port, config.server.host);
  const server = app.getHttpServer() as Server;
  const address = server.address();
  const where =
    typeof address === 'object' && address
      ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
      : String(address);
  Logger.log(`Listening on ${where} — API docs at ${where}/docs`, 'Bootstrap');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      Logger.warn(`${signal} again: exiting without waiting`, 'Bootstrap');
      process.exit(1);
    }
    stopping = true;
    const { shutdownTimeoutMs } = config.server;
    // If a step hangs, leave anyway: the drain's own deadline plus time for the workers and database.
    setTimeout(() => {
      Logger.warn('Shutdown timed out; exiting', 'Bootstrap');
      process.exit(1);
    }, shutdownTimeoutMs + 15_000).unref();
    void (async () => {
      Logger.log(`${signal}: draining requests (up to ${shutdownTimeoutMs} ms)`, 'Bootstrap');
      const left = await shutdown.drain(server, shutdownTimeoutMs);
      if (left > 0) Logger.warn(`${left} request(s) still running at the deadline were cut off`, 'Bootstrap');
      await app.close(); // background jobs, then inference workers, then the database
      Logger.log('Stopped', 'Bootstrap');
      process.exit(0);
    })().catch((error: unknown) => {
      Logger.error(`Shutdown failed: ${(error as Error).message}`, (error as Error).stack, 'Bootstrap');
      process.exit(1);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function ensurePortFree(config: AppConfig): Promise<void> {
  const { port, host } = config.server;
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(
              `Port ${port} on ${host} is already in use: stop the other process or set PORT`,
            )
          : error,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

main().catch((error: unknown) => {
  if (EXPLAINED.some((type) => error instanceof type)) {
    console.error((error as Error).message);
    process.exit(error instanceof ConfigValidationError ? 78 : 1); // 78: EX_CONFIG
  }
  Logger.error(
    error instanceof Error ? error.message : String(error),
    error instanceof Error ? error.stack : undefined,
    'Bootstrap',
  );
  process.exit(1);
});
