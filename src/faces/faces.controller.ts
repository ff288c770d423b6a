import { Controller, HttpCode, HttpStatus, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyProtected, InferenceRoute, RequireScopes } from '../api-keys/api-key.decorators.js';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { requireImage, type UploadedImage } from '../common/uploads.js';
import { DetectFacesResponseDto, EmbedFacesResponseDto } from './dto/faces-response.dto.js';
import { ImageUploadDto } from './dto/image-upload.dto.js';
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
  @UseInterceptors(FileInterceptor('image'))
  @ApiOperation({ summary: 'Every face with box, landmarks, score and quality (an empty list when none)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ImageUploadDto })
  @ApiOkResponse({ type: DetectFacesResponseDto })
  @ApiErrorResponses(400, 401, 403, 413, 415, 429, 503)
  detect(@UploadedFile() image?: UploadedImage): Promise<DetectFacesResponseDto> {
    return this.faces.detect(requireImage(image));
  }

  @Post('embed')
  @InferenceRoute()
  @HttpCode(HttpStatus.OK)
  @UseInterceptors(FileInterceptor('image'))
  @ApiOperation({ summary: 'The embedding ("face encoding") of every face in the image' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ImageUploadDto })
  @ApiOkResponse({ type: EmbedFacesResponseDto })
  @ApiErrorResponses(400, 401, 403, 413, 415, 429, 503)
  embed(@UploadedFile() image?: UploadedImage): Promise<EmbedFacesResponseDto> {
    return this.faces.embed(requireImage(image));
  }
}
