import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApiKeysRepository } from '../../test/support/fake-api-keys.repository.js';
import { ApiKeyAuthenticator, LAST_USED_RESOLUTION_MS } from './api-key-authenticator.js';
import { ApiKeysService } from './api-keys.service.js';

describe('ApiKeyAuthenticator', () => {
  let repository: FakeApiKeysRepository;
  let authenticator: ApiKeyAuthenticator;
  let service: ApiKeysService;

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
    repository = new FakeApiKeysRepository();
    authenticator = new ApiKeyAuthenticator(repository);
    service = new ApiKeysService(repository);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('resolves a valid key to its id, scopes and limits', async () => {
    const created = await service.create({ name: 'ci', scopes: ['recognise'], inferenceLimitPerMinute: 5 });
    expect(await authenticator.authenticate(created.key)).toEqual({
      ok: true,
      key: {
        id: created.id,
        name: 'ci',
        prefix: created.prefix,
        scopes: ['recognise'],
        rateLimitPerMinute: null,
        inferenceLimitPerMinute: 5,
      },
    });
  });

  it('refuses malformed keys without asking the database', async () => {
    expect(await authenticator.authenticate('frk_live_short')).toEqual({ ok: false, failure: 'invalid' });
    expect(repository.lookups).toBe(0);
  });

  it('refuses unknown keys as invalid and revoked keys as revoked, at once', async () => {
    const created = await service.create({ name: 'ci', scopes: ['recognise'] });
    const unknown = `${created.key.slice(0, -1)}${created.key.endsWith('A') ? 'B' : 'A'}`;
    expect(await authenticator.authenticate(unknown)).toEqual({ ok: false, failure: 'invalid' });
    expect((await authenticator.authenticate(created.key)).ok).toBe(true);
    await service.revoke(created.id);
    expect(await authenticator.authenticate(created.key)).toEqual({ ok: false, failure: 'revoked' });
  });

  it('writes lastUsedAt at most once a minute per key', async () => {
    const created = await service.create({ name: 'ci', scopes: ['recognise'] });
    await authenticator.authenticate(created.key);
    await authenticator.authenticate(created.key);
    vi.advanceTimersByTime(LAST_USED_RESOLUTION_MS - 1);
    await authenticator.authenticate(created.key);
    expect(repository.touches).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await authenticator.authenticate(created.key);
    expect(repository.touches).toHaveLength(2);
  });

  it('logs a failed lastUsedAt write instead of failing the request', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const created = await service.create({ name: 'ci', scopes: ['recognise'] });
    repository.touchError = new Error('database is down');
    expect((await authenticator.authenticate(created.key)).ok).toBe(true);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringContaining('database is down')));
    expect(warn.mock.calls.flat().join(' ')).not.toContain(created.key);
  });
});
