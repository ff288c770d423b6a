import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config.js';
import { AnyApiKey, ApiKeyProtected, CurrentApiKey } from './api-key.decorators.js';
import { MissingApiKeyError } from './api-key.errors.js';
import type { AuthenticatedApiKey } from './api-key.types.js';
import { CurrentApiKeyDto, toCurrentApiKeyDto } from './dto/current-api-key.dto.js';

/**
 * Who am I: any valid key may read its own description, so that a client (the web console) can
 * show what the key may do before it tries, instead of learning it from 403s.
 */
@ApiTags('api-keys')
@ApiKeyProtected({ scoped: false })
@AnyApiKey()
@Controller('api/v1/api-keys/me')
export class CurrentApiKeyController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({
    operationId: 'getCurrentApiKey',
    summary: 'The calling key: its name, prefix, scopes and rate limits (any valid key)',
  })
  @ApiOkResponse({ type: CurrentApiKeyDto })
  getCurrentApiKey(@CurrentApiKey() key: AuthenticatedApiKey | undefined): CurrentApiKeyDto {
    // The guards let no request without a key reach this handler; this only satisfies the type.
    if (!key) throw new MissingApiKeyError();
    return toCurrentApiKeyDto(key, this.config.rateLimit);
  }
}
