import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyApiKey, ApiKeyProtected } from '../api-keys/api-key.decorators.js';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { ModelsResponseDto } from './dto/models.dto.js';
import { GalleryModels } from './gallery-models.service.js';

@ApiTags('models')
@ApiKeyProtected({ scoped: false })
@AnyApiKey()
@Controller('api/v1/models')
export class ModelsController {
  constructor(
    private readonly gallery: GalleryModels,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getModels',
    summary: 'The model profile in use, its licence terms and the installed alternatives',
    description:
      "Any valid key may read it. The licence note matters: the default profile's weights are for non-commercial use.",
  })
  @ApiOkResponse({ type: ModelsResponseDto })
  @ApiErrorResponses(401, 429)
  get(): ModelsResponseDto {
    return this.gallery.describe(this.config);
  }
}
