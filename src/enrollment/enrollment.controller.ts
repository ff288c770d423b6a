import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  UploadedFile,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyProtected, InferenceRoute, RequireScopes } from '../api-keys/api-key.decorators.js';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { requireImage, type UploadedImage } from '../common/uploads.js';
import { ImageUpload } from '../faces/dto/image-upload.dto.js';
import { AddFaceResponseDto } from './dto/add-face.dto.js';
import { AddUserDto, AddUserResponseDto } from './dto/add-user.dto.js';
import { EnrollmentService } from './enrollment.service.js';

@ApiTags('enrollment')
@ApiKeyProtected()
@RequireScopes('enroll')
@Controller('api/v1')
export class EnrollmentController {
  constructor(private readonly enrollment: EnrollmentService) {}

  @Post('add_user')
  @InferenceRoute()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    operationId: 'addUser',
    summary: 'Enrol a user from a req_id or an image',
    description:
      'Give `req_id` (from an unmatched recognise_user call) or `image`. Refused with 409 when the e-mail ' +
      'is taken or the face already belongs to an enrolled user; a refused call leaves the req_id usable.',
  })
  @ImageUpload(AddUserDto, 'application/json')
  @ApiCreatedResponse({ type: AddUserResponseDto })
  @ApiErrorResponses(
    400,
    'invalid_image',
    601,
    602,
    603,
    604,
    'req_id_not_found',
    'face_enrolled',
    'email_taken',
    413,
    415,
    503,
  )
  async addUser(@Body() dto: AddUserDto, @UploadedFile() image?: UploadedImage): Promise<AddUserResponseDto> {
    const { userId, faceId } = await this.enrollment.addUser(dto, image?.buffer);
    return { status: 'success', message: 'User added successfully', user_id: userId, face_id: faceId };
  }

  @Post('users/:id/faces')
  @InferenceRoute()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    operationId: 'addUserFace',
    summary: 'Add another face to a user (refused when it matches a different user)',
  })
  @ImageUpload()
  @ApiCreatedResponse({ type: AddFaceResponseDto })
  @ApiErrorResponses(
    'invalid_id',
    'missing_image',
    'invalid_image',
    601,
    602,
    603,
    604,
    'user_not_found',
    'face_enrolled',
    413,
    415,
    503,
  )
  async addFace(
    @Param('id', new ParseUUIDPipe()) userId: string,
    @UploadedFile() image?: UploadedImage,
  ): Promise<AddFaceResponseDto> {
    const { faceId, metadata } = await this.enrollment.addFace(userId, requireImage(image));
    return { status: 'success', user_id: userId, face_id: faceId, metadata };
  }
}
