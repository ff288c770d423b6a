/**
 * Child process for the data-directory lock tests: opens the embedded database in the directory
 * given as argument and prints "opened". Then it closes it and exits 0, or with `--hold` keeps it
 * open until killed. When it cannot open it, it prints the error on stderr and exits 2.
 */
import { EmbeddedPostgres } from '../../src/infra/database/embedded-postgres.js';

const [dataDir, mode] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: open-embedded.ts <dataDir> [--hold]');
try {
  const server = await EmbeddedPostgres.start({ dataDir });
  console.log('opened');
  if (mode === '--hold') setInterval(() => undefined, 60_000);
  else await server.close();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
}
