import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Query,
  StreamableFile,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiKeyProtected, RequireScopes } from '../api-keys/api-key.decorators.js';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { ListUsersQueryDto, UpdateUserDto, UserDetailDto, UserDto, UserListDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

const uuid = new ParseUUIDPipe();

@ApiTags('users')
@ApiKeyProtected()
@RequireScopes('manage')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ operationId: 'listUsers', summary: 'List users, newest first, filtered by name or e-mail' })
  @ApiOkResponse({ type: UserListDto })
  @ApiErrorResponses(400)
  list(@Query() query: ListUsersQueryDto): Promise<UserListDto> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getUser', summary: 'A user and their enrolled faces (no vectors)' })
  @ApiOkResponse({ type: UserDetailDto })
  @ApiErrorResponses('invalid_id', 'user_not_found')
  get(@Param('id', uuid) id: string): Promise<UserDetailDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateUser', summary: 'Change name, e-mail or birthdate' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrorResponses(400, 'invalid_id', 'user_not_found', 'email_taken')
  update(@Param('id', uuid) id: string, @Body() dto: UpdateUserDto): Promise<UserDto> {
    return this.users.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'deleteUser', summary: 'Delete a user with all their faces and vectors' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrorResponses('invalid_id', 'user_not_found')
  delete(@Param('id', uuid) id: string): Promise<void> {
    return this.users.delete(id);
  }

  @Get(':id/faces/:face_id/crop')
  @ApiOperation({
    operationId: 'getUserFaceCrop',
    summary: 'The stored JPEG crop of one face (the face with context around it)',
  })
  @ApiProduces('image/jpeg')
  @ApiOkResponse({ description: 'JPEG image', schema: { type: 'string', format: 'binary' } })
  @ApiErrorResponses('invalid_id', 'crop_not_found')
  async faceCrop(
    @Param('id', uuid) id: string,
    @Param('face_id', uuid) faceId: string,
  ): Promise<StreamableFile> {
    const jpeg = await this.users.faceCrop(id, faceId);
    return new StreamableFile(jpeg, { type: 'image/jpeg', length: jpeg.byteLength });
  }

  @Delete(':id/faces/:face_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'deleteUserFace', summary: 'Remove one face (and its vector) from a user' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrorResponses('invalid_id', 'face_not_found')
  deleteFace(@Param('id', uuid) id: string, @Param('face_id', uuid) faceId: string): Promise<void> {
    return this.users.deleteFace(id, faceId);
  }
}
