import { parseArgs } from 'node:util';
import { parseScopeList } from './api-key-scopes.js';
import type { NewApiKey } from './api-key.types.js';
import type { ApiKeysService } from './api-keys.service.js';
import type { ApiKeyDto } from './dto/api-key.dto.js';
import { MAX_PER_KEY_LIMIT } from './dto/create-api-key.dto.js';

export const API_KEY_CLI_USAGE = `Usage: npm run apikey -- <command> [--json]

  create --name <name> --scopes <scope,...> [--rate-limit <n>] [--inference-limit <n>]
      Creates a key and prints it once. Scopes: recognise, enroll, manage, admin (admin implies all).
      Limits are requests per minute for this key (all routes / inference routes).
  list
      Lists keys (never their secrets).
  revoke <id | prefix>
      Revokes a key by id or prefix (frk_live_AbCd1234, or just AbCd1234).

While the server runs on the embedded database, the command goes through the server's local admin
socket (in the data directory, owner-only); otherwise it opens the database itself. The admin API
does the same with an admin key: POST, GET and DELETE /api/v1/api-keys.`;

export type ApiKeyCommand =
  | { kind: 'create'; input: NewApiKey }
  | { kind: 'list' }
  | { kind: 'revoke'; reference: string }
  | { kind: 'help' };

/** A mistake in the command line: printed with the usage, and no database is opened. */
export class CliUsageError extends Error {}

/** Where a command writes: human-readable lines, and the same result as data (for `--json`). */
export interface CliOutput {
  log(message: string): void;
  data(value: unknown): void;
}

export function parseApiKeyCommand(argv: string[]): ApiKeyCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        scopes: { type: 'string' },
        'rate-limit': { type: 'string' },
        'inference-limit': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') return { kind: 'help' };
  switch (command) {
    case 'create': {
      expectNoMore(rest);
      const name = values.name?.trim();
      if (!name || name.length > 100) throw new CliUsageError('create needs --name (1 to 100 characters)');
      if (values.scopes === undefined)
        throw new CliUsageError('create needs --scopes, e.g. --scopes recognise,enroll');
      let scopes;
      try {
        scopes = parseScopeList(values.scopes);
      } catch (error) {
        throw new CliUsageError((error as Error).message);
      }
      return {
        kind: 'create',
        input: {
          name,
          scopes,
          rateLimitPerMinute: parseLimit('--rate-limit', values['rate-limit']),
          inferenceLimitPerMinute: parseLimit('--inference-limit', values['inference-limit']),
        },
      };
    }
    case 'list':
      expectNoMore(rest);
      return { kind: 'list' };
    case 'revoke': {
      const [reference, ...extra] = rest;
      if (!reference) throw new CliUsageError('revoke needs the id or prefix of a key');
      expectNoMore(extra);
      return { kind: 'revoke', reference };
    }
    default:
      throw new CliUsageError(`Unknown command "${command}"`);
  }
}

export async function runApiKeyCommand(
  command: Exclude<ApiKeyCommand, { kind: 'help' }>,
  service: Pick<ApiKeysService, 'create' | 'list' | 'revokeByReference'>,
  out: CliOutput,
): Promise<void> {
  switch (command.kind) {
    case 'create': {
      const created = await service.create(command.input);
      out.log(describe(created));
      out.log('');
      out.log('API key (shown only this once; store it now):');
      out.log(`  ${created.key}`);
      out.data(created);
      return;
    }
    case 'list': {
      const keys = await service.list();
      out.log(keys.length === 0 ? 'No API keys.' : keys.map(describe).join('\n'));
      out.data(keys);
      return;
    }
    case 'revoke': {
      const revoked = await service.revokeByReference(command.reference);
      out.log(`Revoked: ${describe(revoked)}`);
      out.data(revoked);
      return;
    }
  }
}

function describe(key: ApiKeyDto): string {
  const limits = [
    key.rate_limit_per_minute === null ? undefined : `${key.rate_limit_per_minute}/min`,
    key.inference_limit_per_minute === null ? undefined : `inference ${key.inference_limit_per_minute}/min`,
  ].filter(Boolean);
  const state = key.revoked_at ? `revoked ${key.revoked_at.toISOString()}` : 'active';
  const used = key.last_used_at ? `last used ${key.last_used_at.toISOString()}` : 'never used';
  return [
    `${key.prefix}  ${key.id}  "${key.name}"`,
    `  scopes: ${key.scopes.join(', ')}; limits: ${limits.length > 0 ? limits.join(', ') : 'server defaults'}; ${state}; ${used}`,
  ].join('\n');
}

function parseLimit(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_PER_KEY_LIMIT) {
    throw new CliUsageError(`${flag} must be a whole number from 1 to ${MAX_PER_KEY_LIMIT}`);
  }
  return n;
}

function expectNoMore(rest: string[]): void {
  if (rest.length > 0) throw new CliUsageError(`Unexpected argument(s): ${rest.join(' ')}`);
}
