import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageDto, PaginationQueryDto } from '../../common/dto/pagination.dto.js';
import { AddFaceResponseDto } from '../../enrollment/dto/add-face.dto.js';
import { RecogniseMatchDto, RecogniseNoMatchDto } from '../../matching/dto/recognise-response.dto.js';
import { VideoAnalysisDto } from '../../video/dto/video-analysis.dto.js';
import {
  JOB_KINDS,
  JOB_STATUSES,
  type JobItemRecord,
  type JobKind,
  type JobRecord,
  type JobStatus,
} from '../job.types.js';

export class JobProgressDto {
  @ApiProperty({ description: 'Items in the job', example: 200 })
  total!: number;

  @ApiProperty({ description: 'Items completed', example: 150 })
  done!: number;

  @ApiProperty({ description: 'Items failed (each with its error)', example: 3 })
  failed!: number;

  @ApiProperty({ description: 'Items not finished yet (queued, running, or cancelled)', example: 47 })
  pending!: number;
}

export class JobDto {
  @ApiProperty({ example: '5d0c3b9e-8f1a-4b6e-9c2d-7a8b9c0d1e2f' })
  id!: string;

  @ApiProperty({ enum: JOB_KINDS, example: 'enrolment' })
  kind!: JobKind;

  @ApiProperty({
    enum: JOB_STATUSES,
    description:
      '`completed` once every item has ended and at least one succeeded; `failed` when every item failed',
    example: 'running',
  })
  status!: JobStatus;

  @ApiProperty({ type: JobProgressDto })
  progress!: JobProgressDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Options given at creation',
    example: {},
  })
  options!: Record<string, unknown>;

  @ApiProperty({ description: 'Bytes uploaded', example: 1048576 })
  input_bytes!: number;

  @ApiProperty({ type: String, nullable: true, example: null })
  message!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The key that created the job', example: null })
  api_key_id!: string | null;

  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ type: String, nullable: true, example: '2026-12-01T10:00:01.000Z' })
  started_at!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  finished_at!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'When the job and its results are deleted (JOB_RETENTION_SECONDS after it ended)',
    example: null,
  })
  expires_at!: string | null;

  static from(job: JobRecord): JobDto {
    return {
      id: job.id,
      kind: job.kind,
      status: job.status,
      progress: {
        total: job.total,
        done: job.done,
        failed: job.failed,
        pending: job.total - job.done - job.failed,
      },
      options: job.options,
      input_bytes: job.inputBytes,
      message: job.message,
      api_key_id: job.apiKeyId,
      created_at: job.createdAt.toISOString(),
      started_at: job.startedAt?.toISOString() ?? null,
      finished_at: job.finishedAt?.toISOString() ?? null,
      expires_at: job.finishedAt ? (job.expiresAt?.toISOString() ?? null) : null,
    };
  }
}

export class JobPageDto extends PageDto {
  @ApiProperty({ type: [JobDto] })
  items!: JobDto[];
}

export class ListJobsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @ApiPropertyOptional({ enum: JOB_KINDS })
  @IsOptional()
  @IsIn(JOB_KINDS)
  kind?: JobKind;
}

export class ListJobItemsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATUSES, description: 'Only items in this state (e.g. failed)' })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;
}

export class JobItemErrorDto {
  @ApiProperty({ description: 'As in the error envelope (601–604 for refused faces)', example: 601 })
  error_code!: number;

  @ApiProperty({ description: 'The HTTP status the same error has on the synchronous routes', example: 400 })
  http_status!: number;

  @ApiProperty({ example: 'Face not detected in the image' })
  message!: string;

  @ApiPropertyOptional({ description: 'As in the error envelope (e.g. the user a face is enrolled as)' })
  details?: unknown;
}

/** A batch enrolment item's result: what POST /users/{id}/faces answers (user, face, metadata). */
export class EnrolmentResultDto extends AddFaceResponseDto {}

@ApiExtraModels(EnrolmentResultDto, RecogniseMatchDto, RecogniseNoMatchDto, VideoAnalysisDto)
export class JobItemDto {
  @ApiProperty({ description: 'Position in the job, from 0 (the order of the upload)', example: 0 })
  index!: number;

  @ApiProperty({ enum: JOB_STATUSES, example: 'completed' })
  status!: JobStatus;

  @ApiProperty({ description: 'Times a worker took the item up', example: 1 })
  attempts!: number;

  @ApiProperty({ type: String, nullable: true, example: 'ada.jpg' })
  filename!: string | null;

  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  sha256!: string;

  @ApiProperty({ example: 48213 })
  bytes!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The data given with the item (a batch enrolment: the person)',
    example: { name: 'Ada Lovelace', birthdate: '1990-12-10' },
  })
  input!: Record<string, unknown>;

  @ApiProperty({
    // (buildOpenApiDocument adds the `type` that OpenAPI 3.0 wants beside `nullable`.)
    nullable: true,
    description:
      'Once completed: as add_user (enrolment), as recognise_user (recognition), or the video analysis',
    oneOf: [
      { $ref: getSchemaPath(EnrolmentResultDto) },
      { $ref: getSchemaPath(RecogniseMatchDto) },
      { $ref: getSchemaPath(RecogniseNoMatchDto) },
      { $ref: getSchemaPath(VideoAnalysisDto) },
    ],
  })
  result!: unknown;

  @ApiProperty({
    type: JobItemErrorDto,
    nullable: true,
    description: 'Why the item failed (or, while it waits to be retried, why the last attempt did)',
  })
  error!: JobItemErrorDto | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-12-01T10:00:01.000Z' })
  started_at!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-12-01T10:00:01.200Z' })
  finished_at!: string | null;

  static from(item: JobItemRecord): JobItemDto {
    return {
      index: item.seq,
      status: item.status,
      attempts: item.attempts,
      filename: item.filename,
      sha256: item.sha256,
      bytes: item.bytes,
      input: item.input,
      result: item.result ?? null,
      error: item.error,
      started_at: item.startedAt?.toISOString() ?? null,
      finished_at: item.finishedAt?.toISOString() ?? null,
    };
  }
}

export class JobItemPageDto extends PageDto {
  @ApiProperty({ type: [JobItemDto] })
  items!: JobItemDto[];
}
