import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApiKeysRepository } from '../../test/support/fake-api-keys.repository.js';
import { loadConfig } from '../config/app-config.js';
import { ApiKeysBootstrap, bootstrapBanner } from './api-keys.bootstrap.js';
import { ApiKeysService } from './api-keys.service.js';

describe('ApiKeysBootstrap', () => {
  afterEach(() => vi.restoreAllMocks());

  const setup = (bootstrap: 'true' | 'false') => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const repository = new FakeApiKeysRepository();
    const config = loadConfig({}, { API_KEY_BOOTSTRAP: bootstrap });
    return {
      warn,
      stderr,
      repository,
      bootstrap: new ApiKeysBootstrap(config, new ApiKeysService(repository)),
    };
  };

  it('creates one admin key on an empty table and prints it once, on stderr, never through the logger', async () => {
    const { warn, stderr, repository, bootstrap } = setup('true');
    await bootstrap.onApplicationBootstrap();
    await bootstrap.onApplicationBootstrap();
    expect(repository.rows.size).toBe(1);
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(/frk_live_[0-9A-Za-z]{8}_[0-9A-Za-z]{43}/);
    // The log says a key was made (by its public prefix) and where to find it; the secret is not there.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /^Created the bootstrap admin key frk_live_\w{8} \(printed once on stderr\)$/,
    );
  });

  it('does nothing when disabled', async () => {
    const { warn, stderr, repository, bootstrap } = setup('false');
    await bootstrap.onApplicationBootstrap();
    expect(repository.rows.size).toBe(0);
    expect(warn).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
  });

  it('draws a closed box around the key', () => {
    const lines = bootstrapBanner('frk_live_key', 'id-1')
      .split('\n')
      .filter((line) => line !== '');
    expect(lines[0]).toMatch(/^╔═+╗$/);
    expect(lines.at(-1)).toMatch(/^╚═+╝$/);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
    expect(lines.some((line) => line.includes('frk_live_key'))).toBe(true);
  });
});
