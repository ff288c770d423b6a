import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/api-keys/api-key-secret.js';
import { ApiKeysRepository, type StoredApiKey } from '../../src/api-keys/api-keys.repository.js';
import { createTestDatabase, type TestDatabase, truncateAll } from '../support/database.js';

const newKey = (overrides: Partial<StoredApiKey> = {}): StoredApiKey => {
  const generated = generateApiKey();
  return {
    name: 'k',
    scopes: ['recognise'],
    prefix: generated.prefix,
    keyHash: generated.hash,
    ...overrides,
  };
};

describe('ApiKeysRepository on the embedded database', () => {
  let db: TestDatabase;
  let repository: ApiKeysRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    repository = new ApiKeysRepository(db.prisma);
  });
  afterAll(async () => db?.close());
  beforeEach(async () => truncateAll(db.prisma));

  it('stores a key and finds it by hash, never returning the hash', async () => {
    const key = newKey({ scopes: ['enroll', 'recognise'], rateLimitPerMinute: 7 });
    const created = await repository.insert(key);
    expect(created).toMatchObject({
      prefix: key.prefix,
      scopes: ['recognise', 'enroll'],
      rateLimitPerMinute: 7,
    });
    const found = await repository.findByHash(key.keyHash);
    expect(found?.id).toBe(created?.id);
    expect(JSON.stringify(found)).not.toContain(key.keyHash);
    expect(await repository.findByHash('0'.repeat(64))).toBeUndefined();
  });

  it('answers undefined for a taken prefix instead of throwing', async () => {
    const first = newKey();
    await repository.insert(first);
    expect(await repository.insert(newKey({ prefix: first.prefix }))).toBeUndefined();
  });

  it('revokes once and keeps the first revocation time', async () => {
    const created = (await repository.insert(newKey()))!;
    const first = await repository.revoke(created.id, new Date('2026-01-01T00:00:00Z'));
    const second = await repository.revoke(created.id, new Date('2026-02-01T00:00:00Z'));
    expect(first?.revokedAt).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(second?.revokedAt).toEqual(first?.revokedAt);
    expect(await repository.revoke('00000000-0000-4000-8000-000000000000', new Date())).toBeUndefined();
  });

  it('records the last use', async () => {
    const created = (await repository.insert(newKey()))!;
    await repository.touchLastUsed(created.id, new Date('2026-03-01T00:00:00Z'));
    expect((await repository.findById(created.id))?.lastUsedAt).toEqual(new Date('2026-03-01T00:00:00Z'));
  });

  it('creates the bootstrap key only on an empty table, once across concurrent callers', async () => {
    const others = [new ApiKeysRepository(db.prisma), new ApiKeysRepository(db.prisma), repository];
    const results = await Promise.all(others.map((r) => r.insertIfNoKeys(newKey({ scopes: ['admin'] }))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await repository.list()).toHaveLength(1);
    expect(await repository.insertIfNoKeys(newKey())).toBeUndefined();
  });

  it('counts revoked keys, so revoking every key does not re-enable the bootstrap', async () => {
    const created = (await repository.insert(newKey()))!;
    await repository.revoke(created.id, new Date());
    expect(await repository.insertIfNoKeys(newKey())).toBeUndefined();
  });
});
