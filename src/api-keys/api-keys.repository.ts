import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { isUniqueViolation } from '../infra/database/unique-violation.js';
import { normalizeScopes } from './api-key-scopes.js';
import type { ApiKeyRecord, NewApiKey } from './api-key.types.js';

/** The part of the Prisma client this repository uses; the Nest provider and the CLI pass theirs. */
export type ApiKeysDb = Pick<PrismaClient, 'apiKey' | '$transaction'>;

export interface StoredApiKey extends NewApiKey {
  prefix: string;
  keyHash: string;
}

// Everything but the hash: it is looked up by, never read back.
const PUBLIC_COLUMNS = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  rateLimitPerMinute: true,
  inferenceLimitPerMinute: true,
  lastUsedAt: true,
  revokedAt: true,
  createdAt: true,
} satisfies Prisma.ApiKeySelect;

type Row = Prisma.ApiKeyGetPayload<{ select: typeof PUBLIC_COLUMNS }>;

// Oldest first; the id breaks ties so that pages never overlap.
const LIST_ORDER = [{ createdAt: 'asc' }, { id: 'asc' }] satisfies Prisma.ApiKeyOrderByWithRelationInput[];

// Any constant works as long as every instance uses the same one; it serialises the bootstrap.
const BOOTSTRAP_LOCK = Prisma.sql`SELECT pg_advisory_xact_lock(hashtext('face-api:api-key-bootstrap'))`;

/**
 * All database access for API keys. A plain class (no Nest decorators), so the `apikey` CLI, which
 * runs under tsx without decorator metadata, can construct it around its own Prisma client.
 */
export class ApiKeysRepository {
  constructor(private readonly db: ApiKeysDb) {}

  /** Inserts a key; `undefined` when its prefix or hash is already taken (the caller retries). */
  async insert(key: StoredApiKey): Promise<ApiKeyRecord | undefined> {
    try {
      return toRecord(await this.db.apiKey.create({ data: toData(key), select: PUBLIC_COLUMNS }));
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  /**
   * Inserts the key only while the table is empty. The advisory lock makes two instances booting
   * at once take turns, so only the first creates a bootstrap key. Revoked keys count as keys: an
   * operator who revoked them all does not get a fresh admin key printed on the next restart.
   */
  async insertIfNoKeys(key: StoredApiKey): Promise<ApiKeyRecord | undefined> {
    return this.db.$transaction(async (tx) => {
      await tx.$executeRaw(BOOTSTRAP_LOCK);
      if ((await tx.apiKey.count()) > 0) return undefined;
      return toRecord(await tx.apiKey.create({ data: toData(key), select: PUBLIC_COLUMNS }));
    });
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.apiKey.findUnique({ where: { keyHash }, select: PUBLIC_COLUMNS });
    return row ? toRecord(row) : undefined;
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.apiKey.findUnique({ where: { id }, select: PUBLIC_COLUMNS });
    return row ? toRecord(row) : undefined;
  }

  async findByPrefix(prefix: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.apiKey.findUnique({ where: { prefix }, select: PUBLIC_COLUMNS });
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.db.apiKey.findMany({ select: PUBLIC_COLUMNS, orderBy: LIST_ORDER });
    return rows.map(toRecord);
  }

  /** One page of `list()`, and how many keys there are in all. */
  async page(skip: number, take: number): Promise<{ rows: ApiKeyRecord[]; total: number }> {
    const [rows, total] = await this.db.$transaction([
      this.db.apiKey.findMany({ select: PUBLIC_COLUMNS, orderBy: LIST_ORDER, skip, take }),
      this.db.apiKey.count(),
    ]);
    return { rows: rows.map(toRecord), total };
  }

  /** Sets `revokedAt` once; revoking again keeps the first time. `undefined` for an unknown id. */
  async revoke(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    await this.db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
    return this.findById(id);
  }

  async touchLastUsed(id: string, at: Date): Promise<void> {
    await this.db.apiKey.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }
}

function toData(key: StoredApiKey): Prisma.ApiKeyCreateInput {
  return {
    name: key.name,
    prefix: key.prefix,
    keyHash: key.keyHash,
    scopes: key.scopes,
    rateLimitPerMinute: key.rateLimitPerMinute ?? null,
    inferenceLimitPerMinute: key.inferenceLimitPerMinute ?? null,
  };
}

function toRecord(row: Row): ApiKeyRecord {
  return { ...row, scopes: normalizeScopes(row.scopes) };
}
