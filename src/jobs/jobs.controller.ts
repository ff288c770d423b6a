import { Body, Controller, HttpCode, HttpStatus, Post, UploadedFiles } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiKeyProtected,
  CurrentApiKey,
  InferenceRoute,
  RequireScopes,
} from '../api-keys/api-key.decorators.js';
import type { AuthenticatedApiKey } from '../api-keys/api-key.types.js';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { CreateEnrolmentJobDto, CreateRecognitionJobDto, CreateVideoJobDto } from './dto/create-job.dto.js';
import { JobDto } from './dto/job.dto.js';
import type { StoredUpload } from './job.types.js';
import { JobsService } from './jobs.service.js';
import { JobUploads } from './uploads/job-uploads.decorator.js';

const UPLOAD_ERRORS = ['validation_failed', 'missing_files', 'too_many_jobs', 'job_too_large', 503] as const;

/**
 * Creating asynchronous jobs: each needs the scope of its work (`enroll` for batch enrolment,
 * `recognise` for batch recognition and video). Reading them is JobStatusController's.
 */
@ApiTags('jobs')
@ApiKeyProtected()
@Controller('api/v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post('enrolment')
  @RequireScopes('enroll')
  @InferenceRoute()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'createEnrolmentJob',
    summary: 'Enrol many people at once: photos and their data, processed in the background',
    description:
      'Each photo enrols one person exactly as add_user with an image; a refused photo (no face, quality, ' +
      'already enrolled) fails alone. Counts against the inference limit once per photo.',
  })
  @JobUploads('images', 'images', CreateEnrolmentJobDto)
  @ApiAcceptedResponse({ type: JobDto })
  @ApiErrorResponses(...UPLOAD_ERRORS)
  createEnrolment(
    @CurrentApiKey() key: AuthenticatedApiKey,
    @Body() body: CreateEnrolmentJobDto,
    @UploadedFiles() files: StoredUpload[] = [],
  ): Promise<JobDto> {
    return this.jobs.createEnrolment(key, files, body.people);
  }

  @Post('recognition')
  @RequireScopes('recognise')
  @InferenceRoute()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'createRecognitionJob',
    summary: 'Recognise many photos in the background',
    description:
      'Each photo gets what recognise_user answers, and its encodings are kept by file hash. Counts against ' +
      'the inference limit once per photo.',
  })
  @JobUploads('images', 'images', CreateRecognitionJobDto)
  @ApiAcceptedResponse({ type: JobDto })
  @ApiErrorResponses(...UPLOAD_ERRORS)
  createRecognition(
    @CurrentApiKey() key: AuthenticatedApiKey,
    @Body() _body: CreateRecognitionJobDto,
    @UploadedFiles() files: StoredUpload[] = [],
  ): Promise<JobDto> {
    return this.jobs.createRecognition(key, files);
  }

  @Post('video')
  @RequireScopes('recognise')
  @InferenceRoute()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'createVideoJob',
    summary: 'Find, track and identify the faces of a video in the background',
    description:
      'The video is checked first (container, size, duration, resolution); the job then samples frames at ' +
      '`sample_fps`, tracks faces across them and identifies each track. Counts against the inference limit ' +
      'once per 10 frames to analyse.',
  })
  @JobUploads('video', 'video', CreateVideoJobDto)
  @ApiAcceptedResponse({ type: JobDto })
  @ApiErrorResponses(
    ...UPLOAD_ERRORS,
    'invalid_video',
    'video_too_large',
    'unsupported_video',
    'video_unavailable',
  )
  createVideo(
    @CurrentApiKey() key: AuthenticatedApiKey,
    @Body() body: CreateVideoJobDto,
    @UploadedFiles() files: StoredUpload[] = [],
  ): Promise<JobDto> {
    return this.jobs.createVideo(key, files, body.sample_fps);
  }
}
