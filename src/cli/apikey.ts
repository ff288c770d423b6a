/**
 * `npm run apikey -- create|list|revoke` (compiled to dist/cli/apikey.js): manages API keys straight in the database, for the first
 * key (with API_KEY_BOOTSTRAP=false) or when no admin key is at hand. It builds the plain classes
 * by hand rather than booting Nest: it must not start the HTTP server, the models or the bootstrap.
 */
// class-transformer's decorators in the config schema call Reflect.getMetadata at load time.
import 'reflect-metadata';
import {
  API_KEY_CLI_USAGE,
  CliUsageError,
  parseApiKeyCommand,
  runApiKeyCommand,
} from '../api-keys/api-keys.cli.js';
import { ApiKeysRepository } from '../api-keys/api-keys.repository.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { DomainError } from '../common/domain-error.js';
import { loadConfig } from '../config/app-config.js';
import { DataDirInUseError } from '../infra/database/data-dir-lock.js';
import { startDatabaseServer } from '../infra/database/database-server.js';
import { Migrator } from '../infra/database/migrator.js';
import { createPrismaClient } from '../infra/database/prisma.service.js';

async function main(): Promise<number> {
  let command;
  try {
    command = parseApiKeyCommand(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    console.error(`${error.message}\n\n${API_KEY_CLI_USAGE}`);
    return 2;
  }
  if (command.kind === 'help') {
    console.log(API_KEY_CLI_USAGE);
    return 0;
  }

  const config = loadConfig();
  let server;
  try {
    server = await startDatabaseServer(config.database);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    console.error(
      `The embedded database in ${config.database.dataDir} is in use by the running server (pid ${error.ownerPid}).\n` +
        'Stop the server and run this again, or use the admin API with an admin key:\n' +
        '  POST /api/v1/api-keys, GET /api/v1/api-keys, DELETE /api/v1/api-keys/<id>',
    );
    return 75; // EX_TEMPFAIL
  }
  const prisma = createPrismaClient(server.url, server.poolSize);
  try {
    // A first key may be created before the server has ever started on this database.
    await new Migrator(server.url, {
      logger: { log: () => undefined, warn: (m) => console.warn(m) },
    }).migrate();
    await runApiKeyCommand(command, new ApiKeysService(new ApiKeysRepository(prisma)), console);
    return 0;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    console.error(error.message);
    return 1;
  } finally {
    await prisma.$disconnect();
    await server.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`apikey failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
