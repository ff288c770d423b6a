import { ApiProperty } from '@nestjs/swagger';
import type { RateLimitConfig } from '../../config/app-config.js';
import { API_KEY_SCOPES, type ApiKeyScope } from '../api-key-scopes.js';
import type { AuthenticatedApiKey } from '../api-key.types.js';
import { DEFAULT_TIER, INFERENCE_TIER, resolveRateLimit } from '../throttling/rate-limits.js';

/** A rate limit as the throttler applies it: the key's own override, or the server's default. */
export class EffectiveRateLimitDto {
  @ApiProperty({ type: 'integer', description: 'Requests allowed per window', example: 300 })
  limit!: number;

  @ApiProperty({ type: 'integer', description: 'Length of the sliding window in seconds', example: 60 })
  window_seconds!: number;
}

export class EffectiveRateLimitsDto {
  @ApiProperty({ type: EffectiveRateLimitDto, description: 'Counted on every request' })
  default!: EffectiveRateLimitDto;

  @ApiProperty({
    type: EffectiveRateLimitDto,
    description: 'Counted on inference routes (detect, embed, recognise, identify, verify, enrol) as well',
  })
  inference!: EffectiveRateLimitDto;
}

/**
 * The key a request was made with: what a client (the web console) needs to know what it may do.
 * Never the secret, which the caller has anyway and which must not echo back into logs or caches.
 */
export class CurrentApiKeyDto {
  @ApiProperty({ format: 'uuid', example: '0b6f7c1e-2f4a-4c1d-9e3b-5a8d7c6b4e21' })
  id!: string;

  @ApiProperty({ example: 'front-desk' })
  name!: string;

  @ApiProperty({ description: 'The public start of the key', example: 'frk_live_Q7xK2mPa' })
  prefix!: string;

  @ApiProperty({
    enum: API_KEY_SCOPES,
    isArray: true,
    description: 'Scopes the key holds; `admin` implies all the others',
    example: ['recognise', 'enroll'],
  })
  scopes!: ApiKeyScope[];

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: "The key's own limit on all routes; null: the server default applies",
    example: null,
  })
  rate_limit_per_minute!: number | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: "The key's own limit on inference routes; null: the server default applies",
    example: 20,
  })
  inference_limit_per_minute!: number | null;

  @ApiProperty({ type: EffectiveRateLimitsDto, description: 'The limits this key is held to now' })
  limits!: EffectiveRateLimitsDto;
}

export function toCurrentApiKeyDto(key: AuthenticatedApiKey, config: RateLimitConfig): CurrentApiKeyDto {
  const effective = (tier: typeof DEFAULT_TIER | typeof INFERENCE_TIER): EffectiveRateLimitDto => {
    const { limit, windowMs } = resolveRateLimit(tier, key, config);
    return { limit, window_seconds: windowMs / 1000 };
  };
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    rate_limit_per_minute: key.rateLimitPerMinute,
    inference_limit_per_minute: key.inferenceLimitPerMinute,
    limits: { default: effective(DEFAULT_TIER), inference: effective(INFERENCE_TIER) },
  };
}
