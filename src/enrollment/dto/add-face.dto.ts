import { ApiProperty } from '@nestjs/swagger';
import { FaceMetadataDto } from '../../matching/dto/recognise-response.dto.js';

export class AddFaceResponseDto {
  @ApiProperty({ enum: ['success'], example: 'success' })
  status!: 'success';

  @ApiProperty({ example: '0b8f6a2e-4c1d-4f7a-9a3e-2d5b6c7e8f90' })
  user_id!: string;

  @ApiProperty({ example: '6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' })
  face_id!: string;

  @ApiProperty({ type: FaceMetadataDto })
  metadata!: FaceMetadataDto;
}
