import type { DatabaseConfig } from '../../config/app-config.js';
import { EmbeddedPostgres } from './embedded-postgres.js';

/** Where the application's PostgreSQL lives: an embedded PGlite, or an external server. */
export interface DatabaseServer {
  readonly mode: 'embedded' | 'external';
  /** A postgres:// URL that node-postgres (and Prisma's pg adapter) connect to. */
  readonly url: string;
  /** Connections a client pool may open; 1 for PGlite, which is a single session. */
  readonly poolSize: number;
  /** For logs: never contains the password. */
  describe(): string;
  /** The owner-only directory of the embedded database's socket; undefined for an external server. */
  readonly socketDirectory?: string;
  close(): Promise<void>;
}

/** A PostgreSQL server that someone else runs; there is nothing to start or stop. */
export class ExternalPostgres implements DatabaseServer {
  readonly mode = 'external';

  constructor(
    readonly url: string,
    readonly poolSize: number,
  ) {}

  describe(): string {
    return `external PostgreSQL at ${redactUrl(this.url)}`;
  }

  async close(): Promise<void> {}
}

/** Starts the embedded database, or points at the external one when a URL is configured. */
export async function startDatabaseServer(config: DatabaseConfig): Promise<DatabaseServer> {
  if (config.url) return new ExternalPostgres(config.url, config.poolSize);
  return EmbeddedPostgres.start({ dataDir: config.dataDir });
}

/** `user@host:port/db`, without the password or query parameters. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
