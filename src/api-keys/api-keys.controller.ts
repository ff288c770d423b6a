import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { ApiKeyProtected, RequireScopes } from './api-key.decorators.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

@ApiTags('api-keys')
@ApiKeyProtected()
@RequireScopes('admin')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key; its secret is in this response only' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiErrorResponses(400)
  createApiKey(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (never their secrets)' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  listApiKeys(): Promise<ApiKeyDto[]> {
    return this.apiKeys.list();
  }

  @Delete(':id')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Revoke an API key; it is refused from its next request on' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiErrorResponses(400, 404)
  revokeApiKey(@Param('id', new ParseUUIDPipe()) id: string): Promise<ApiKeyDto> {
    return this.apiKeys.revoke(id);
  }
}
