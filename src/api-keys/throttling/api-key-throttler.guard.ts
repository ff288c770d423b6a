import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerRequest } from '@nestjs/throttler';
import { RateLimitExceededError } from '../api-key.errors.js';
import type { ApiKeyRequest } from '../api-key.types.js';
import { keyTracker, throttlerKey } from './inference-charge.js';
import { DEFAULT_TIER } from './rate-limits.js';

/**
 * Second of the three global guards, after authentication: counts each request against its API
 * key (or, without a valid key, its IP) in every tier that applies, sets the X-RateLimit-* headers
 * and refuses with 429, Retry-After and the error envelope once a limit is reached.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const key = (req as unknown as ApiKeyRequest).apiKey;
    return key ? keyTracker(key.id) : `ip:${await super.getTracker(req)}`;
  }

  /** One budget per caller and tier across all routes (the library's default is per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string, tier: string): string {
    return throttlerKey(tier, tracker);
  }

  /**
   * The library's version, with a standard `Retry-After` for every tier, the limit headers on 429
   * answers too, and a DomainError so the global filter writes the usual envelope.
   */
  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = request;
    const { req, res } = this.getRequestResponse(context);
    const tier = throttler.name ?? DEFAULT_TIER;
    const key = generateKey(context, await getTracker(req, context), tier);
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, tier);
    const suffix = tier === DEFAULT_TIER ? '' : `-${tier}`;
    const retryAfter = Math.max(1, record.timeToBlockExpire);
    this.setResponseHeader(res, `${this.headerPrefix}-Limit${suffix}`, limit);
    this.setResponseHeader(
      res,
      `${this.headerPrefix}-Remaining${suffix}`,
      Math.max(0, limit - record.totalHits),
    );
    this.setResponseHeader(
      res,
      `${this.headerPrefix}-Reset${suffix}`,
      record.isBlocked ? retryAfter : record.timeToExpire,
    );
    if (record.isBlocked) {
      this.setResponseHeader(res, 'Retry-After', retryAfter);
      throw new RateLimitExceededError(tier, limit, Math.round(ttl / 1000), retryAfter);
    }
    return true;
  }
}
