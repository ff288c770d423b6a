import { Injectable, Logger } from '@nestjs/common';
import { hashApiKey, isWellFormedApiKey } from './api-key-secret.js';
import type { ApiKeyFailure, ApiKeyRecord, AuthenticatedApiKey } from './api-key.types.js';
import { ApiKeysRepository } from './api-keys.repository.js';

export type AuthenticationResult =
  { ok: true; key: AuthenticatedApiKey } | { ok: false; failure: ApiKeyFailure };

/** `lastUsedAt` is informational; writing it on every request would double the database load. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves a presented key to its record. Every request reads the database (one unique-index
 * lookup), with no cache of positive answers: a revoked key fails on its very next request, on
 * every instance.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly logger = new Logger('ApiKeys');
  // When this process last wrote lastUsedAt per key id; bounded by the number of keys.
  private readonly touchedAt = new Map<string, number>();

  constructor(private readonly repository: ApiKeysRepository) {}

  async authenticate(presented: string): Promise<AuthenticationResult> {
    if (!isWellFormedApiKey(presented)) return { ok: false, failure: 'invalid' };
    const record = await this.repository.findByHash(hashApiKey(presented));
    if (!record) return { ok: false, failure: 'invalid' };
    if (record.revokedAt) return { ok: false, failure: 'revoked' };
    this.touch(record);
    return {
      ok: true,
      key: {
        id: record.id,
        name: record.name,
        prefix: record.prefix,
        scopes: record.scopes,
        rateLimitPerMinute: record.rateLimitPerMinute,
        inferenceLimitPerMinute: record.inferenceLimitPerMinute,
      },
    };
  }

  /** Fire-and-forget: a failed write is logged and must not fail the request it rides on. */
  private touch(record: ApiKeyRecord): void {
    const now = Date.now();
    const stored = record.lastUsedAt?.getTime() ?? 0;
    const local = this.touchedAt.get(record.id) ?? 0;
    if (now - Math.max(stored, local) < LAST_USED_RESOLUTION_MS) return;
    this.touchedAt.set(record.id, now);
    this.repository.touchLastUsed(record.id, new Date(now)).catch((error: unknown) => {
      this.touchedAt.delete(record.id);
      this.logger.warn(
        `Could not update lastUsedAt of API key ${record.prefix}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
}
