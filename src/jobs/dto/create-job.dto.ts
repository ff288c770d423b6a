import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  Allow,
  ArrayMinSize,
  IsArray,
  IsNumber,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { AddUserDto } from '../../enrollment/dto/add-user.dto.js';

/** One person of a batch enrolment: the fields of add_user. */
export class EnrolmentPersonDto extends PickType(AddUserDto, ['name', 'birthdate', 'email'] as const) {}

const FILES_SCHEMA = { type: 'array', items: { type: 'string', format: 'binary' } } as const;

/** `people` arrives as a JSON text field of the multipart body; parsed here so each entry is validated. */
function parsePeople({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return value;
  }
  return Array.isArray(parsed)
    ? parsed.map((entry: unknown) =>
        entry && typeof entry === 'object' ? plainToInstance(EnrolmentPersonDto, entry) : entry,
      )
    : parsed;
}

export class CreateEnrolmentJobDto {
  @ApiProperty({
    ...FILES_SCHEMA,
    description: 'The photos, one person each (JPEG, PNG, WebP, GIF, TIFF, AVIF), in the order of `people`',
  })
  // The files arrive through Multer, not the body; declared only for the OpenAPI schema.
  @Allow()
  images?: unknown;

  @ApiProperty({
    type: 'string',
    description:
      'A JSON array with one entry per photo, in the same order: `name`, `birthdate` (YYYY-MM-DD) and ' +
      'optionally `email`, as for add_user',
    example: '[{"name":"Ada Lovelace","birthdate":"1990-12-10","email":"ada@example.com"}]',
  })
  @Transform(parsePeople)
  @IsArray({ message: 'people must be a JSON array of {name, birthdate, email?}, one entry per image' })
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  people!: EnrolmentPersonDto[];
}

export class CreateRecognitionJobDto {
  @ApiProperty({ ...FILES_SCHEMA, description: 'The photos to recognise (JPEG, PNG, WebP, GIF, TIFF, AVIF)' })
  @Allow()
  images?: unknown;
}

export class CreateVideoJobDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description:
      'The video: MP4, MOV or WebM (within VIDEO_MAX_BYTES, VIDEO_MAX_DURATION_SECONDS, VIDEO_MAX_PIXELS)',
  })
  @Allow()
  video?: unknown;

  @ApiPropertyOptional({
    description: 'Frames analysed per second of video (default VIDEO_SAMPLE_FPS)',
    example: 2,
    minimum: 0.05,
    maximum: 30,
  })
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0.05)
  @Max(30)
  sample_fps?: number;
}
