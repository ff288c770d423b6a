import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query, UploadedFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiKeyProtected, InferenceRoute, RequireScopes } from '../api-keys/api-key.decorators.js';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { requireImage, type UploadedImage } from '../common/uploads.js';
import { ImageUpload } from '../faces/dto/image-upload.dto.js';
import { EncodingDto, EncodingQueryDto } from './dto/encoding.dto.js';
import { Sha256Pipe } from './sha256.pipe.js';
import { EncodingsService } from './encodings.service.js';

@ApiTags('encodings')
@ApiKeyProtected()
@RequireScopes('recognise')
@Controller('api/v1/encodings')
export class EncodingsController {
  constructor(private readonly encodings: EncodingsService) {}

  @Post()
  @InferenceRoute()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'encodeImage',
    summary:
      "Every face's encoding (embedding) with the file's SHA-256; the same file again is served from store",
    description:
      'Idempotent by content: a file already encoded in the serving embedding space is answered from the ' +
      'stored result (`cached: true`) without running the models.',
  })
  @ImageUpload()
  @ApiOkResponse({ type: EncodingDto })
  @ApiErrorResponses('missing_image', 'invalid_image', 413, 415, 503)
  encode(@UploadedFile() image?: UploadedImage): Promise<EncodingDto> {
    return this.encodings.encode(requireImage(image));
  }

  @Get(':sha256')
  @ApiOperation({
    operationId: 'getEncoding',
    summary: 'The stored encodings of a file, by its SHA-256',
  })
  @ApiParam({ name: 'sha256', description: 'SHA-256 of the file, 64 hex characters' })
  @ApiOkResponse({ type: EncodingDto })
  @ApiErrorResponses(400, 'encoding_not_found')
  get(@Param('sha256', Sha256Pipe) sha256: string, @Query() query: EncodingQueryDto): Promise<EncodingDto> {
    return this.encodings.get(sha256, query.model);
  }
}
