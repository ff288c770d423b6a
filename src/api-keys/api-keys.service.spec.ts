import { describe, expect, it } from 'vitest';
import { FakeApiKeysRepository } from '../../test/support/fake-api-keys.repository.js';
import { NotFoundError } from '../common/domain-error.js';
import { hashApiKey } from './api-key-secret.js';
import { ApiKeysService } from './api-keys.service.js';

describe('ApiKeysService', () => {
  it('stores only the hash and returns the secret once', async () => {
    const repository = new FakeApiKeysRepository();
    const created = await new ApiKeysService(repository).create({
      name: 'ci',
      scopes: ['enroll'],
      rateLimitPerMinute: 10,
    });
    const row = repository.rows.get(created.id)!;
    expect(row.keyHash).toBe(hashApiKey(created.key));
    expect(Object.values(row)).not.toContain(created.key);
    const listed = await new ApiKeysService(repository).list();
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(JSON.stringify(listed)).not.toContain(row.keyHash);
  });

  it('retries with a new key when the prefix is taken', async () => {
    const repository = new FakeApiKeysRepository();
    let calls = 0;
    const insert = repository.insert.bind(repository);
    repository.insert = async (key) => (++calls === 1 ? undefined : insert(key));
    const created = await new ApiKeysService(repository).create({ name: 'ci', scopes: ['enroll'] });
    expect(calls).toBe(2);
    expect(created.key.startsWith(created.prefix)).toBe(true);
  });

  it('creates the bootstrap admin key only on an empty table', async () => {
    const repository = new FakeApiKeysRepository();
    const service = new ApiKeysService(repository);
    const first = await service.createBootstrapKey();
    expect(first).toMatchObject({ name: 'bootstrap-admin', scopes: ['admin'] });
    expect(await service.createBootstrapKey()).toBeUndefined();
    expect(repository.rows.size).toBe(1);
  });

  it('revokes by id, by prefix and by the prefix id, keeping the first revocation time', async () => {
    const repository = new FakeApiKeysRepository();
    const service = new ApiKeysService(repository);
    const a = await service.create({ name: 'a', scopes: ['manage'] });
    const b = await service.create({ name: 'b', scopes: ['manage'] });
    const c = await service.create({ name: 'c', scopes: ['manage'] });
    const first = await service.revokeByReference(a.id);
    expect(first.revoked_at).toBeInstanceOf(Date);
    expect((await service.revoke(a.id)).revoked_at).toEqual(first.revoked_at);
    expect((await service.revokeByReference(b.prefix)).id).toBe(b.id);
    expect((await service.revokeByReference(c.prefix.slice('frk_live_'.length))).id).toBe(c.id);
  });

  it('pages keys in the list envelope, oldest first', async () => {
    const service = new ApiKeysService(new FakeApiKeysRepository());
    for (const name of ['a', 'b', 'c']) await service.create({ name, scopes: ['manage'] });
    const second = await service.page({ page: 2, limit: 2 });
    expect(second).toMatchObject({ page: 2, limit: 2, total: 3 });
    expect(second.items.map((k) => k.name)).toEqual(['c']);
    expect(await service.page({})).toMatchObject({ page: 1, limit: 20, total: 3 });
  });

  it('answers NotFoundError for unknown keys', async () => {
    const service = new ApiKeysService(new FakeApiKeysRepository());
    await expect(service.revoke('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(service.revokeByReference('frk_live_AbCd1234')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.revokeByReference('nonsense')).rejects.toBeInstanceOf(NotFoundError);
  });
});
