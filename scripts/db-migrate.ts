/**
 * `npm run db:migrate`: applies pending migrations to the configured database (DATABASE_URL, or the
 * embedded one in DATA_DIR) and exits. The app does the same at boot; this is for deployments that
 * migrate as a separate step. It uses the classes directly, not Nest: tsx cannot emit the decorator
 * metadata Nest's injection needs.
 */
// class-transformer's decorators in the config schema call Reflect.getMetadata at load time.
import 'reflect-metadata';
import { loadConfig } from '../src/config/app-config.js';
import { startDatabaseServer } from '../src/infra/database/database-server.js';
import { Migrator } from '../src/infra/database/migrator.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const started = performance.now();
  const server = await startDatabaseServer(config.database);
  try {
    console.log(`Database: ${server.describe()} (started in ${(performance.now() - started).toFixed(0)} ms)`);
    const report = await new Migrator(server.url, { logger: console }).migrate();
    console.log(`Done: ${report.applied.length} applied, ${report.alreadyApplied.length} already applied`);
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
