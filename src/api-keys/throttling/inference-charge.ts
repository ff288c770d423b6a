import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config.js';
import type { AuthenticatedApiKey } from '../api-key.types.js';
import { INFERENCE_TIER, resolveRateLimit } from './rate-limits.js';

/** The storage key of a caller's count in a tier (the throttler guard counts under the same key). */
export function throttlerKey(tier: string, tracker: string): string {
  return `${tier}:${tracker}`;
}

/** The tracker of requests made with an API key. */
export function keyTracker(keyId: string): string {
  return `key:${keyId}`;
}

/**
 * Counts work done later on a key's behalf (the photos of a batch job) against its inference
 * limit now, as if each had been its own request. The request that brings the work was already
 * counted, and let through, by the throttler guard; the rest is added even past the limit — a
 * batch larger than the limit is accepted, and the key's further inference requests then wait
 * (429 with Retry-After) until the window has made room, as they would after as many calls.
 */
@Injectable()
export class InferenceCharge {
  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  async charge(key: AuthenticatedApiKey, units: number): Promise<void> {
    const { windowMs } = resolveRateLimit(INFERENCE_TIER, key, this.config.rateLimit);
    const storageKey = throttlerKey(INFERENCE_TIER, keyTracker(key.id));
    for (let i = 0; i < units; i++) {
      // A limit no count reaches: the hit is always counted, never refused.
      await this.storage.increment(storageKey, windowMs, Number.MAX_SAFE_INTEGER, 0, INFERENCE_TIER);
    }
  }
}
