import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  UploadedFile,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { FileFieldsInterceptor } from '@nestjs/platform-express';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiKeyProtected, InferenceRoute, RequireScopes } from '../api-keys/api-key.decorators.js';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { BadRequestError } from '../common/domain-error.js';
import { requireImage, type UploadedImage } from '../common/uploads.js';
import { ImageUpload } from '../faces/dto/image-upload.dto.js';
import { IdentifyRequestDto, IdentifyResponseDto } from './dto/identify.dto.js';
import { RecogniseMatchDto, RecogniseNoMatchDto } from './dto/recognise-response.dto.js';
import { VerifyRequestDto, VerifyResponseDto } from './dto/verify.dto.js';
import { MatchingService } from './matching.service.js';

const FACE_METADATA = {
  box: { x: 71, y: 64, width: 108, height: 131 },
  detection_confidence: 0.998,
  face_size: 108,
  sharpness: 412.7,
  brightness: 121.3,
  yaw: -4.2,
  roll: 1.7,
  faces_detected: 1,
  face_selection: 'main',
};

/** The two answers of recognise_user, as examples of its 200. */
const RECOGNISE_EXAMPLES = {
  match: {
    summary: 'An enrolled user matched',
    value: {
      status: 'success',
      message: 'Match found',
      user_info: {
        id: '0b8f6a2e-4c1d-4f7a-9a3e-2d5b6c7e8f90',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        birthdate: '1990-12-10',
      },
      similarity: 0.83,
      distance: 0.17,
      threshold: 0.41,
      metadata: FACE_METADATA,
    },
  },
  no_match: {
    summary: 'Nobody matched: the face is cached under a req_id for add_user',
    value: {
      status: 'failure',
      message: 'no_match',
      req_id: 'req-5f2d9c1e8a7b4c3d2e1f0a9b8c7d6e5f',
      expiresAt: '2026-11-26T21:30:00.000Z',
      metadata: FACE_METADATA,
    },
  },
};

@ApiTags('recognition')
@ApiKeyProtected()
@RequireScopes('recognise')
@Controller('api/v1')
export class RecognitionController {
  constructor(private readonly matching: MatchingService) {}

  @Post('recognise_user')
  @InferenceRoute()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'recogniseUser',
    summary: 'Recognise the person in an image',
    description:
      'Uses the main face (the most prominent: large and near the centre). A match returns the user; ' +
      'otherwise the face is cached under a `req_id` ' +
      '(valid for CACHE_TTL_SECONDS) that `add_user` accepts instead of an image.',
  })
  @ImageUpload()
  @ApiExtraModels(RecogniseMatchDto, RecogniseNoMatchDto)
  @ApiOkResponse({
    description: 'A match (`status: success`) or no match with a `req_id` (`status: failure`)',
    schema: {
      oneOf: [{ $ref: getSchemaPath(RecogniseMatchDto) }, { $ref: getSchemaPath(RecogniseNoMatchDto) }],
    },
    examples: RECOGNISE_EXAMPLES,
  })
  @ApiErrorResponses('missing_image', 'invalid_image', 601, 413, 415, 503)
  recognise(@UploadedFile() image?: UploadedImage): Promise<RecogniseMatchDto | RecogniseNoMatchDto> {
    return this.matching.recognise(requireImage(image));
  }

  @Post('identify')
  @InferenceRoute()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'identifyFace',
    summary: '1:N — the closest enrolled users, or an explicit unknown',
  })
  @ImageUpload(IdentifyRequestDto)
  @ApiOkResponse({ type: IdentifyResponseDto })
  @ApiErrorResponses(400, 'missing_image', 'invalid_image', 601, 413, 415, 503)
  identify(
    @Body() body: IdentifyRequestDto,
    @UploadedFile() image?: UploadedImage,
  ): Promise<IdentifyResponseDto> {
    return this.matching.identify(requireImage(image), body.top_k);
  }

  @Post('verify')
  @InferenceRoute()
  @HttpCode(HttpStatus.OK)
  @UseInterceptors(
    FileFieldsInterceptor([
      { name: 'image1', maxCount: 1 },
      { name: 'image2', maxCount: 1 },
    ]),
  )
  @ApiOperation({
    operationId: 'verifyFaces',
    summary: '1:1 — are two images (or an image and an enrolled user) the same person?',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: VerifyRequestDto })
  @ApiOkResponse({ type: VerifyResponseDto })
  @ApiErrorResponses(400, 'invalid_image', 601, 'user_not_found', 413, 415, 503)
  verify(
    @Body() body: VerifyRequestDto,
    @UploadedFiles() files: { image1?: UploadedImage[]; image2?: UploadedImage[] } = {},
  ): Promise<VerifyResponseDto> {
    const image1 = requireImage(files.image1?.[0], 'image1');
    const image2 = files.image2?.[0];
    if (image2 && body.user_id) throw new BadRequestError('Give either image2 or user_id, not both');
    if (image2) return this.matching.verify(image1, { image: image2.buffer });
    if (body.user_id) return this.matching.verify(image1, { userId: body.user_id });
    throw new BadRequestError('Give image2 or user_id to compare image1 with');
  }
}
