import { describe, expect, it } from 'vitest';
import { FakeApiKeysRepository } from '../../test/support/fake-api-keys.repository.js';
import { CliUsageError, parseApiKeyCommand, runApiKeyCommand } from './api-keys.cli.js';
import { ApiKeysService } from './api-keys.service.js';

describe('parseApiKeyCommand', () => {
  it('parses create with scopes and limits', () => {
    expect(
      parseApiKeyCommand([
        'create',
        '--name',
        'ci',
        '--scopes',
        'recognise,enroll',
        '--rate-limit',
        '100',
        '--inference-limit',
        '20',
      ]),
    ).toEqual({
      kind: 'create',
      input: {
        name: 'ci',
        scopes: ['recognise', 'enroll'],
        rateLimitPerMinute: 100,
        inferenceLimitPerMinute: 20,
      },
    });
  });

  it('parses list, revoke and help', () => {
    expect(parseApiKeyCommand(['list'])).toEqual({ kind: 'list' });
    expect(parseApiKeyCommand(['revoke', 'AbCd1234'])).toEqual({ kind: 'revoke', reference: 'AbCd1234' });
    expect(parseApiKeyCommand([])).toEqual({ kind: 'help' });
    expect(parseApiKeyCommand(['create', '--help'])).toEqual({ kind: 'help' });
  });

  it('refuses bad command lines before touching the database', () => {
    for (const argv of [
      ['create', '--scopes', 'admin'],
      ['create', '--name', 'x'],
      ['create', '--name', 'x', '--scopes', 'root'],
      ['create', '--name', 'x', '--scopes', 'admin', '--rate-limit', '0'],
      ['create', '--name', 'x', '--scopes', 'admin', '--rate-limit', '1.5'],
      ['create', '--name', 'x', '--scopes', 'admin', '--api-key', 'y'],
      ['revoke'],
      ['list', 'extra'],
      ['frob'],
    ]) {
      expect(() => parseApiKeyCommand(argv), argv.join(' ')).toThrow(CliUsageError);
    }
  });
});

describe('runApiKeyCommand', () => {
  it('prints a created key once, never in listings', async () => {
    const service = new ApiKeysService(new FakeApiKeysRepository());
    const lines: string[] = [];
    const data: unknown[] = [];
    const out = { log: (message: string) => lines.push(message), data: (value: unknown) => data.push(value) };
    await runApiKeyCommand({ kind: 'create', input: { name: 'ci', scopes: ['recognise'] } }, service, out);
    const key = lines.join('\n').match(/frk_live_\w{8}_\w{43}/)?.[0];
    expect(key).toBeDefined();
    expect(data[0]).toMatchObject({ key, name: 'ci', scopes: ['recognise'] });
    lines.length = 0;
    await runApiKeyCommand({ kind: 'list' }, service, out);
    expect(lines.join('\n')).toContain('"ci"');
    expect(lines.join('\n')).not.toContain(key);
    await runApiKeyCommand({ kind: 'revoke', reference: key!.slice(0, 17) }, service, out);
    expect(lines.at(-1)).toMatch(/^Revoked: .*\n.*revoked 20/);
  });
});
