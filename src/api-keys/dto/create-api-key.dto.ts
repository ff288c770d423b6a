import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
} from 'class-validator';
import { API_KEY_SCOPES, type ApiKeyScope } from '../api-key-scopes.js';
import type { NewApiKey } from '../api-key.types.js';

/** The largest per-key limit accepted; far above what one instance can serve, it only stops typos. */
export const MAX_PER_KEY_LIMIT = 1_000_000;

export class CreateApiKeyDto {
  @ApiProperty({
    description: 'What the key is for, to recognise it in listings',
    example: 'ci-pipeline',
    minLength: 1,
    maxLength: 100,
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({
    description: 'Scopes the key holds; `admin` implies all the others',
    enum: API_KEY_SCOPES,
    isArray: true,
    example: ['recognise', 'enroll'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes!: ApiKeyScope[];

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Requests per minute for this key on all routes, replacing the server default',
    example: 100,
    minimum: 1,
    maximum: MAX_PER_KEY_LIMIT,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PER_KEY_LIMIT)
  rate_limit_per_minute?: number;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Requests per minute for this key on inference routes (detect, embed, recognise…)',
    example: 20,
    minimum: 1,
    maximum: MAX_PER_KEY_LIMIT,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PER_KEY_LIMIT)
  inference_limit_per_minute?: number;
}

/** The key the service stores for a validated request. */
export function toNewApiKey(dto: CreateApiKeyDto): NewApiKey {
  return {
    name: dto.name,
    scopes: dto.scopes,
    rateLimitPerMinute: dto.rate_limit_per_minute,
    inferenceLimitPerMinute: dto.inference_limit_per_minute,
  };
}
