import { describe, expect, it } from 'vitest';
import type { AuthenticatedApiKey } from '../api-key.types.js';
import { DEFAULT_TIER, INFERENCE_TIER, resolveRateLimit } from './rate-limits.js';

const config = {
  windowSeconds: 30,
  defaultLimit: 300,
  inferenceLimit: 60,
  anonymousLimit: 10,
  store: 'memory' as const,
};
const key = (overrides: Partial<AuthenticatedApiKey> = {}): AuthenticatedApiKey => ({
  id: 'k',
  name: 'k',
  prefix: 'frk_live_AbCd1234',
  scopes: ['recognise'],
  rateLimitPerMinute: null,
  inferenceLimitPerMinute: null,
  ...overrides,
});

describe('resolveRateLimit', () => {
  it('gives keys the server limits over the configured window', () => {
    expect(resolveRateLimit(DEFAULT_TIER, key(), config)).toEqual({ limit: 300, windowMs: 30_000 });
    expect(resolveRateLimit(INFERENCE_TIER, key(), config)).toEqual({ limit: 60, windowMs: 30_000 });
  });

  it('applies per-key overrides per minute, each to its own tier', () => {
    const limited = key({ rateLimitPerMinute: 5, inferenceLimitPerMinute: 2 });
    expect(resolveRateLimit(DEFAULT_TIER, limited, config)).toEqual({ limit: 5, windowMs: 60_000 });
    expect(resolveRateLimit(INFERENCE_TIER, limited, config)).toEqual({ limit: 2, windowMs: 60_000 });
    expect(resolveRateLimit(INFERENCE_TIER, key({ rateLimitPerMinute: 5 }), config)).toEqual({
      limit: 60,
      windowMs: 30_000,
    });
  });

  it('gives callers without a key the anonymous limit in every tier', () => {
    expect(resolveRateLimit(DEFAULT_TIER, undefined, config)).toEqual({ limit: 10, windowMs: 30_000 });
    expect(resolveRateLimit(INFERENCE_TIER, undefined, config)).toEqual({ limit: 10, windowMs: 30_000 });
  });
});
