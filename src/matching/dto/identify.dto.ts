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
    enum: ['identified', 'unknown'],
    description: '`unknown` when no candidate is within the threshold',
    example: 'identified',
  })
  result!: 'identified' | 'unknown';

  @ApiProperty({
    type: [CandidateDto],
    description: 'Users within the threshold, closest first (empty when unknown)',
  })
  candidates!: CandidateDto[];

  @ApiProperty({ example: 0.5 })
  threshold!: number;

  @ApiProperty({ type: FaceMetadataDto })
  metadata!: FaceMetadataDto;
}
