import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ThrottlerModuleOptions, ThrottlerOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { AppConfig } from '../../config/app-config.js';
import { INFERENCE_ROUTE } from '../api-key.decorators.js';
import type { ApiKeyRequest } from '../api-key.types.js';
import { DEFAULT_TIER, INFERENCE_TIER, type RateLimitTier, resolveRateLimit } from './rate-limits.js';

/**
 * The two named throttlers. Limits and windows are resolved per request from the key that the
 * authentication guard attached; counts live in `storage` (sliding-window counters).
 */
export function createThrottlerOptions(config: AppConfig, storage: ThrottlerStorage): ThrottlerModuleOptions {
  const reflector = new Reflector();
  const tier = (name: RateLimitTier): ThrottlerOptions => {
    const resolve = (context: ExecutionContext) =>
      resolveRateLimit(name, context.switchToHttp().getRequest<ApiKeyRequest>().apiKey, config.rateLimit);
    return {
      name,
      limit: (context) => resolve(context).limit,
      ttl: (context) => resolve(context).windowMs,
      // No block period: the window slides, and a caller over the limit can retry as soon as its
      // oldest counted request leaves the window (that is what Retry-After says).
      blockDuration: 0,
    };
  };
  return {
    storage,
    throttlers: [
      tier(DEFAULT_TIER),
      {
        ...tier(INFERENCE_TIER),
        skipIf: (context) =>
          !reflector.getAllAndOverride<boolean>(INFERENCE_ROUTE, [context.getHandler(), context.getClass()]),
      },
    ],
  };
}
