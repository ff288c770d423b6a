import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/domain-error.js';
import { pageOf } from '../common/dto/pagination.dto.js';
import { BoxDto } from '../faces/dto/face.dto.js';
import type { Box } from '../face/face.types.js';
import { UserInfoDto } from '../matching/dto/user-info.dto.js';
import type {
  ListUsersQueryDto,
  UpdateUserDto,
  UserDetailDto,
  UserDto,
  UserListDto,
} from './dto/user.dto.js';
import { type FaceRow, type UserRow, UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(private readonly repository: UsersRepository) {}

  async list(query: ListUsersQueryDto): Promise<UserListDto> {
    const { page, limit, skip } = pageOf(query);
    const { rows, total } = await this.repository.list({ name: query.name, email: query.email }, skip, limit);
    return { items: rows.map(toUserDto), page, limit, total };
  }

  async get(id: string): Promise<UserDetailDto> {
    const user = await this.repository.findById(id);
    if (!user) throw new NotFoundError(`User ${id} not found`);
    const faces = await this.repository.facesOf(id);
    return { ...toUserDto(user), faces: faces.map(toFaceDto) };
  }

  async update(id: string, dto: UpdateUserDto): Promise<UserDto> {
    const user = await this.repository.update(id, {
      ...(dto.name !== undefined ? { name: dto.name } : {}),
      ...(dto.email !== undefined ? { email: dto.email } : {}),
      ...(dto.birthdate !== undefined ? { birthdate: new Date(`${dto.birthdate}T00:00:00Z`) } : {}),
    });
    if (!user) throw new NotFoundError(`User ${id} not found`);
    return toUserDto(user);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repository.delete(id))) throw new NotFoundError(`User ${id} not found`);
  }

  async faceCrop(userId: string, faceId: string): Promise<Uint8Array> {
    const crop = await this.repository.crop(userId, faceId);
    if (!crop) throw new NotFoundError(`Face ${faceId} of user ${userId} not found or has no stored crop`);
    return crop;
  }

  async deleteFace(userId: string, faceId: string): Promise<void> {
    if (!(await this.repository.deleteFace(userId, faceId))) {
      throw new NotFoundError(`Face ${faceId} of user ${userId} not found`);
    }
  }
}

function toUserDto(user: UserRow): UserDto {
  return {
    ...UserInfoDto.from(user),
    face_count: user._count.faces,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

function toFaceDto(face: FaceRow & { hasCrop: boolean }): UserDetailDto['faces'][number] {
  return {
    id: face.id,
    models: face.embeddings.map((e) => e.model),
    has_crop: face.hasCrop,
    detection_score: face.detectionScore,
    box: BoxDto.from(face.box as unknown as Box),
    image_sha256: face.imageSha256,
    created_at: face.createdAt.toISOString(),
  };
}
