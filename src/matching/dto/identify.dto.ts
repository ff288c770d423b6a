import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsInt, IsOptional, Max, Min } from 'class-validator';
import { FaceMetadataDto } from './recognise-response.dto.js';
import { UserInfoDto } from './user-info.dto.js';

export class IdentifyRequestDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'JPEG, PNG or WebP image' })
  // The file arrives through Multer, not the body; declared only for the OpenAPI schema.
  @Allow()
  image?: unknown;

  @ApiPropertyOptional({ description: 'Candidates to return (1–20)', example: 5, default: 5 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  top_k?: number;
}

export class CandidateDto {
  @ApiProperty({ type: UserInfoDto })
  user_info!: UserInfoDto;

  @ApiProperty({ example: 0.81 })
  similarity!: number;

  @ApiProperty({ example: 0.19 })
  distance!: number;
}

export class IdentifyResponseDto {
  @ApiProperty({
    enum: ['identified', 'unknown', 'ambiguous'],
    description:
      '`identified`: the first candidate is the person. `unknown`: nobody is within the threshold. ' +
      '`ambiguous`: the closest users are within `margin` of each other, so none is named; ' +
      'treat it as not identified.',
    example: 'identified',
  })
  result!: 'identified' | 'unknown' | 'ambiguous';

  @ApiProperty({
    type: [CandidateDto],
    description: 'Users within the threshold, closest first (empty when unknown)',
  })
  candidates!: CandidateDto[];

  @ApiProperty({ example: 0.094, description: 'Cosine distance at or below which a face can match' })
  threshold!: number;

  @ApiProperty({
    example: 0.015,
    description: 'How much closer than the runner-up the closest user must be to be identified',
  })
  margin!: number;

  @ApiProperty({ type: FaceMetadataDto })
  metadata!: FaceMetadataDto;
}
