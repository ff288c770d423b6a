import type { RateLimitConfig } from '../../config/app-config.js';
import type { AuthenticatedApiKey } from '../api-key.types.js';

/** Every request counts against this tier. */
export const DEFAULT_TIER = 'default';
/** Requests to `@InferenceRoute()` handlers count against this stricter tier as well. */
export const INFERENCE_TIER = 'inference';
export type RateLimitTier = typeof DEFAULT_TIER | typeof INFERENCE_TIER;

export interface RateLimit {
  limit: number;
  windowMs: number;
}

/**
 * The limit a caller gets in a tier: a key's own per-minute override (over a 60 s window, as its
 * name says), else the server's limit for the tier over the configured window. Callers without a
 * valid key share their IP's anonymous limit.
 */
export function resolveRateLimit(
  tier: RateLimitTier,
  key: AuthenticatedApiKey | undefined,
  config: RateLimitConfig,
): RateLimit {
  const windowMs = config.windowSeconds * 1000;
  if (!key) return { limit: config.anonymousLimit, windowMs };
  const override = tier === DEFAULT_TIER ? key.rateLimitPerMinute : key.inferenceLimitPerMinute;
  if (override !== null) return { limit: override, windowMs: 60_000 };
  return { limit: tier === DEFAULT_TIER ? config.defaultLimit : config.inferenceLimit, windowMs };
}
