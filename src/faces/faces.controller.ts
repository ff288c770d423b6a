import { Controller, HttpCode, HttpStatus, Post, UploadedFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyProtected, InferenceRoute, RequireScopes } from '../api-keys/api-key.decorators.js';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { requireImage, type UploadedImage } from '../common/uploads.js';
import { DetectFacesResponseDto, EmbedFacesResponseDto } from './dto/faces-response.dto.js';
import { ImageUpload } from './dto/image-upload.dto.js';
import { FacesService } from './faces.service.js';

@ApiTags('faces')
@ApiKeyProtected()
@RequireScopes('recognise')
@Controller('api/v1/faces')
export class FacesController {
  constructor(private readonly faces: FacesService) {}

  @Post('detect')
  @InferenceRoute()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'detectFaces',
    summary: 'Every face with box, landmarks, score and quality (an empty list when none)',
  })
  @ImageUpload()
  @ApiOkResponse({ type: DetectFacesResponseDto })
  @ApiErrorResponses('missing_image', 'invalid_image', 413, 415, 503)
  detect(@UploadedFile() image?: UploadedImage): Promise<DetectFacesResponseDto> {
    return this.faces.detect(requireImage(image));
  }

  @Post('embed')
  @InferenceRoute()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'embedFaces',
    summary: 'The embedding ("face encoding") of every face in the image (an empty list when none)',
  })
  @ImageUpload()
  @ApiOkResponse({ type: EmbedFacesResponseDto })
  @ApiErrorResponses('missing_image', 'invalid_image', 413, 415, 503)
  embed(@UploadedFile() image?: UploadedImage): Promise<EmbedFacesResponseDto> {
    return this.faces.embed(requireImage(image));
  }
}
