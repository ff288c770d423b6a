#!/usr/bin/env node
// The real-server tier: the integration, service and e2e suites against a PostgreSQL + pgvector
// server instead of the embedded engine. Each test file gets a fresh database on that server
// (created and dropped by the tests), so the URL's user needs CREATEDB; the server needs the
// pgvector extension available (0.8 or later for iterative index scans).
//
//   TEST_DATABASE_URL=postgresql://user:pass@host:5432/postgres npm run test:pg
import { spawnSync } from 'node:child_process';
import pg from 'pg';

const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
if (!url) {
  console.error(
    'test:pg needs a PostgreSQL server with pgvector: set TEST_DATABASE_URL (or DATABASE_URL),\n' +
      'e.g. TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run test:pg',
  );
  process.exit(2);
}

const client = new pg.Client({ connectionString: url });
try {
  await client.connect();
  const { rows } = await client.query(
    "SELECT current_setting('server_version') AS server, (SELECT default_version FROM pg_available_extensions WHERE name = 'vector') AS vector",
  );
  if (!rows[0].vector) throw new Error('the pgvector extension is not installed on this server');
  console.log(`test:pg: PostgreSQL ${rows[0].server}, pgvector ${rows[0].vector}`);
} catch (error) {
  console.error(`test:pg: cannot use ${new URL(url).host}: ${error.message}`);
  process.exit(2);
} finally {
  await client.end().catch(() => undefined);
}

const result = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--project',
    'integration',
    '--project',
    'service',
    '--project',
    'e2e',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env: { ...process.env, TEST_DATABASE_URL: url } },
);
process.exit(result.status ?? 1);
