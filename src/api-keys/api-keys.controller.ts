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
  Query,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { PaginationQueryDto } from '../common/dto/pagination.dto.js';
import { ApiKeyProtected, RequireScopes } from './api-key.decorators.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyDto, ApiKeyListDto, CreatedApiKeyDto } from './dto/api-key.dto.js';
import { CreateApiKeyDto, toNewApiKey } from './dto/create-api-key.dto.js';

@ApiTags('api-keys')
@ApiKeyProtected()
@RequireScopes('admin')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    operationId: 'createApiKey',
    summary: 'Create an API key; its secret is in this response only',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiErrorResponses(400)
  createApiKey(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(toNewApiKey(body));
  }

  @Get()
  @ApiOperation({
    operationId: 'listApiKeys',
    summary: 'List API keys, oldest first (never their secrets)',
  })
  @ApiOkResponse({ type: ApiKeyListDto })
  @ApiErrorResponses(400)
  listApiKeys(@Query() query: PaginationQueryDto): Promise<ApiKeyListDto> {
    return this.apiKeys.page(query);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key; it is refused from its next request on',
  })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiErrorResponses('invalid_id', 'api_key_not_found')
  revokeApiKey(@Param('id', new ParseUUIDPipe()) id: string): Promise<ApiKeyDto> {
    return this.apiKeys.revoke(id);
  }
}
