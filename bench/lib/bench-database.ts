import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { info } from './report.js';

/**
 * A database of its own on a PostgreSQL + pgvector server, for a benchmark that measures the
 * production tier (`--database-url`): created empty, dropped afterwards, so a benchmark never
 * reads or writes anyone's data. The URL's user needs CREATEDB.
 */
export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `face_bench_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  info(`created database ${name} on ${url.host}`);
  return {
    url: url.toString(),
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
