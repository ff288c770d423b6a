import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from '../../common/dto/pagination.dto.js';
import { API_KEY_SCOPES, type ApiKeyScope } from '../api-key-scopes.js';
import type { ApiKeyRecord } from '../api-key.types.js';

/** An API key as listed: never its secret, never its hash. */
export class ApiKeyDto {
  @ApiProperty({ format: 'uuid', example: '0b6f7c1e-2f4a-4c1d-9e3b-5a8d7c6b4e21' })
  id!: string;

  @ApiProperty({ example: 'ci-pipeline' })
  name!: string;

  @ApiProperty({
    description: 'The public start of the key, enough to tell keys apart',
    example: 'frk_live_Q7xK2mPa',
  })
  prefix!: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['recognise', 'enroll'] })
  scopes!: ApiKeyScope[];

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Per-key limit on all routes; null: server default',
    example: 100,
  })
  rate_limit_per_minute!: number | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Per-key limit on inference routes; null: server default',
    example: 20,
  })
  inference_limit_per_minute!: number | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Last authenticated use, updated at most once a minute',
    example: '2026-11-25T10:15:00.000Z',
  })
  last_used_at!: Date | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the key was revoked; null while it is active',
    example: null,
  })
  revoked_at!: Date | null;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-25T09:00:00.000Z' })
  created_at!: Date;
}

/** The answer to creating a key: the only time its secret is shown. */
export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    description: 'The API key. It is not stored and cannot be shown again: keep it now.',
    example: 'frk_live_Q7xK2mPa_4dN8sWq1ZbX6vT3yLc9Hf0RkGj5MpUe7oAiS2nBhDwC',
  })
  key!: string;
}

export class ApiKeyListDto extends PageDto {
  @ApiProperty({ type: [ApiKeyDto], description: 'Keys on this page, oldest first (revoked ones included)' })
  items!: ApiKeyDto[];
}

export function toApiKeyDto(record: ApiKeyRecord): ApiKeyDto {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    scopes: record.scopes,
    rate_limit_per_minute: record.rateLimitPerMinute,
    inference_limit_per_minute: record.inferenceLimitPerMinute,
    last_used_at: record.lastUsedAt,
    revoked_at: record.revokedAt,
    created_at: record.createdAt,
  };
}
