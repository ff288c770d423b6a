import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { ConfigValidationError, loadConfig } from './config/app-config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.server.port, config.server.host);
  const url = await app.getUrl();
  Logger.log(`Listening on ${url} — API docs at ${url.replace('[::1]', 'localhost')}/docs`, 'Bootstrap');

  // A second signal, or a drain that takes too long, ends the process without waiting further.
  const forceExit = () => {
    setTimeout(() => {
      Logger.warn('Shutdown timed out; exiting', 'Bootstrap');
      process.exit(1);
    }, config.server.shutdownTimeoutMs).unref();
  };
  process.once('SIGTERM', forceExit);
  process.once('SIGINT', forceExit);
}

main().catch((error: unknown) => {
  Logger.error(
    error instanceof Error ? error.message : String(error),
    error instanceof Error ? error.stack : undefined,
    'Bootstrap',
  );
  process.exit(1);
});
