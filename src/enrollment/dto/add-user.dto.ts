import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Allow, IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsPastDate } from '../../common/validators/is-past-date.validator.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === ''
    ? undefined
    : typeof value === 'string'
      ? value.trim()
      : value;

export class AddUserDto {
  @ApiProperty({ description: 'Full name', example: 'Ada Lovelace', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(/^[^\p{Cc}]*$/u, { message: 'name must not contain control characters' })
  name!: string;

  @ApiProperty({ description: 'Date of birth, YYYY-MM-DD, in the past', example: '1990-12-10' })
  @Transform(trim)
  @IsPastDate()
  birthdate!: string;

  @ApiPropertyOptional({ description: 'Unique e-mail address', example: 'ada@example.com', maxLength: 254 })
  @Transform(({ value }) => {
    const v = emptyToUndefined({ value });
    return typeof v === 'string' ? v.toLowerCase() : v;
  })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({
    description: 'A req_id from recognise_user: enrols the cached face (give this or image)',
    example: 'req-5f2d9c1e8a7b4c3d2e1f0a9b8c7d6e5f',
  })
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^req-[0-9a-f]{32}$/, { message: 'req_id must look like req-<32 hex characters>' })
  req_id?: string;

  @ApiPropertyOptional({
    type: 'string',
    format: 'binary',
    description: 'An image of the person (give this or req_id)',
  })
  // The file arrives through Multer, not the body; declared only for the OpenAPI schema.
  @Allow()
  image?: unknown;
}

export class AddUserResponseDto {
  @ApiProperty({ enum: ['success'], example: 'success' })
  status!: 'success';

  @ApiProperty({ example: 'User added successfully' })
  message!: string;

  @ApiProperty({ example: '0b8f6a2e-4c1d-4f7a-9a3e-2d5b6c7e8f90' })
  user_id!: string;

  @ApiProperty({ description: 'Id of the enrolled face', example: '6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' })
  face_id!: string;
}
