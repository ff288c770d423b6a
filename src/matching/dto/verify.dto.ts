import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsOptional, IsUUID } from 'class-validator';
import { FaceMetadataDto } from './recognise-response.dto.js';

export class VerifyRequestDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The probe image' })
  // The file arrives through Multer, not the body; declared only for the OpenAPI schema.
  @Allow()
  image1?: unknown;

  @ApiPropertyOptional({
    type: 'string',
    format: 'binary',
    description: 'The second image (or give user_id)',
  })
  // The file arrives through Multer, not the body; declared only for the OpenAPI schema.
  @Allow()
  image2?: unknown;

  @ApiPropertyOptional({
    description: 'Compare with this enrolled user instead of a second image',
    example: '0b8f6a2e-4c1d-4f7a-9a3e-2d5b6c7e8f90',
  })
  @IsOptional()
  @IsUUID()
  user_id?: string;
}

export class VerifyResponseDto {
  @ApiProperty({ description: 'Whether both are the same person', example: true })
  verified!: boolean;

  @ApiProperty({ example: 0.78 })
  similarity!: number;

  @ApiProperty({ example: 0.22 })
  distance!: number;

  @ApiProperty({ example: 0.5 })
  threshold!: number;

  @ApiProperty({ description: 'Embedding model that produced both vectors', example: 'face-api-resnet-128' })
  model!: string;

  @ApiProperty({
    type: [FaceMetadataDto],
    description: 'The face used from each image (one entry when comparing with a user)',
  })
  faces!: FaceMetadataDto[];
}
