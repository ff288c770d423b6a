import { randomUUID } from 'node:crypto';
import type { ApiKeyRecord } from '../../src/api-keys/api-key.types.js';
import {
  type ApiKeysDb,
  ApiKeysRepository,
  type StoredApiKey,
} from '../../src/api-keys/api-keys.repository.js';

/** In-memory stand-in for the repository, for unit specs of the services and guards. */
export class FakeApiKeysRepository extends ApiKeysRepository {
  readonly rows = new Map<string, ApiKeyRecord & { keyHash: string }>();
  readonly touches: Array<{ id: string; at: Date }> = [];
  /** Prefixes that `insert` pretends are taken, to exercise the retry. */
  readonly takenPrefixes = new Set<string>();
  lookups = 0;
  touchError: Error | undefined;

  constructor() {
    super({} as ApiKeysDb);
  }

  override async insert(key: StoredApiKey): Promise<ApiKeyRecord | undefined> {
    if (this.takenPrefixes.has(key.prefix) || [...this.rows.values()].some((r) => r.prefix === key.prefix))
      return undefined;
    const row = {
      id: randomUUID(),
      name: key.name,
      prefix: key.prefix,
      keyHash: key.keyHash,
      scopes: key.scopes,
      rateLimitPerMinute: key.rateLimitPerMinute ?? null,
      inferenceLimitPerMinute: key.inferenceLimitPerMinute ?? null,
      lastUsedAt: null,
      revokedAt: null,
      createdAt: new Date(),
    };
    this.rows.set(row.id, row);
    return strip(row);
  }

  override async insertIfNoKeys(key: StoredApiKey): Promise<ApiKeyRecord | undefined> {
    return this.rows.size === 0 ? this.insert(key) : undefined;
  }

  override async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    this.lookups++;
    const row = [...this.rows.values()].find((r) => r.keyHash === keyHash);
    return row && strip(row);
  }

  override async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.rows.get(id);
    return row && strip(row);
  }

  override async findByPrefix(prefix: string): Promise<ApiKeyRecord | undefined> {
    const row = [...this.rows.values()].find((r) => r.prefix === prefix);
    return row && strip(row);
  }

  override async list(): Promise<ApiKeyRecord[]> {
    return [...this.rows.values()].map(strip);
  }

  override async page(skip: number, take: number): Promise<{ rows: ApiKeyRecord[]; total: number }> {
    const all = await this.list();
    return { rows: all.slice(skip, skip + take), total: all.length };
  }

  override async revoke(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    const row = this.rows.get(id);
    if (!row) return undefined;
    row.revokedAt ??= at;
    return strip(row);
  }

  override async touchLastUsed(id: string, at: Date): Promise<void> {
    if (this.touchError) throw this.touchError;
    this.touches.push({ id, at });
    const row = this.rows.get(id);
    if (row) row.lastUsedAt = at;
  }
}

function strip(row: ApiKeyRecord & { keyHash: string }): ApiKeyRecord {
  const { keyHash: _keyHash, ...record } = row;
  return { ...record };
}
