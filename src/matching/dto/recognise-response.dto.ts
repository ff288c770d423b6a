import { ApiProperty } from '@nestjs/swagger';
import { BoxDto, FaceQualityDto } from '../../faces/dto/face.dto.js';
import { UserInfoDto } from './user-info.dto.js';

/** Which face of the image was used, and how many there were. */
export class FaceMetadataDto extends FaceQualityDto {
  @ApiProperty({ type: BoxDto, description: 'The face that was used' })
  box!: BoxDto;

  @ApiProperty({ description: 'Faces found in the image', example: 1 })
  faces_detected!: number;

  @ApiProperty({
    enum: ['main'],
    description:
      'How the face was chosen when the image holds several: the main face, the most prominent ' +
      '(box area minus twice the squared distance of its centre from the image centre)',
    example: 'main',
  })
  face_selection!: 'main';
}

export class RecogniseMatchDto {
  @ApiProperty({ enum: ['success'], example: 'success' })
  status!: 'success';

  @ApiProperty({ enum: ['Match found'], example: 'Match found' })
  message!: 'Match found';

  @ApiProperty({ type: UserInfoDto })
  user_info!: UserInfoDto;

  @ApiProperty({
    description: 'Cosine similarity to the closest enrolled face (1 − distance)',
    example: 0.83,
  })
  similarity!: number;

  @ApiProperty({ description: 'Cosine distance to the closest enrolled face', example: 0.17 })
  distance!: number;

  @ApiProperty({ description: 'Distance below which faces count as the same person', example: 0.5 })
  threshold!: number;

  @ApiProperty({ type: FaceMetadataDto })
  metadata!: FaceMetadataDto;
}

export class RecogniseNoMatchDto {
  @ApiProperty({ enum: ['failure'], example: 'failure' })
  status!: 'failure';

  @ApiProperty({ enum: ['no_match'], example: 'no_match' })
  message!: 'no_match';

  @ApiProperty({
    description: 'Key of the cached face: pass it to add_user to enrol this person without re-uploading',
    example: 'req-5f2d9c1e8a7b4c3d2e1f0a9b8c7d6e5f',
  })
  req_id!: string;

  @ApiProperty({ description: 'When the cached face is deleted', example: '2026-11-26T21:30:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ type: FaceMetadataDto })
  metadata!: FaceMetadataDto;
}
