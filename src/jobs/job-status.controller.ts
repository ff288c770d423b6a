import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyApiKey, ApiKeyProtected, CurrentApiKey } from '../api-keys/api-key.decorators.js';
import type { AuthenticatedApiKey } from '../api-keys/api-key.types.js';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { JobDto, JobItemPageDto, JobPageDto, ListJobItemsQueryDto, ListJobsQueryDto } from './dto/job.dto.js';
import { JobsService } from './jobs.service.js';

/**
 * Reading, cancelling and deleting jobs. Any valid key may call these routes, and sees only the
 * jobs it created (an admin key: every job); another key's job answers 404, as if it did not exist.
 */
@ApiTags('jobs')
@ApiKeyProtected({ scoped: false })
@AnyApiKey()
@Controller('api/v1/jobs')
export class JobStatusController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listJobs',
    summary: "This key's jobs, newest first (an admin key: every job)",
  })
  @ApiOkResponse({ type: JobPageDto })
  @ApiErrorResponses(400)
  list(@CurrentApiKey() key: AuthenticatedApiKey, @Query() query: ListJobsQueryDto): Promise<JobPageDto> {
    return this.jobs.list(key, query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getJob', summary: 'Status and progress of a job' })
  @ApiOkResponse({ type: JobDto })
  @ApiErrorResponses('invalid_id', 'job_not_found')
  get(
    @CurrentApiKey() key: AuthenticatedApiKey,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<JobDto> {
    return this.jobs.get(key, id);
  }

  @Get(':id/items')
  @ApiOperation({
    operationId: 'listJobItems',
    summary: "A job's items with their results or errors, in upload order",
  })
  @ApiOkResponse({ type: JobItemPageDto })
  @ApiErrorResponses(400, 'invalid_id', 'job_not_found')
  items(
    @CurrentApiKey() key: AuthenticatedApiKey,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: ListJobItemsQueryDto,
  ): Promise<JobItemPageDto> {
    return this.jobs.items(key, id, query);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'cancelJob',
    summary: 'Cancel a queued or running job (finished items keep their results)',
  })
  @ApiOkResponse({ type: JobDto })
  @ApiErrorResponses('invalid_id', 'job_not_found', 'job_finished')
  cancel(
    @CurrentApiKey() key: AuthenticatedApiKey,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<JobDto> {
    return this.jobs.cancel(key, id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'deleteJob',
    summary: 'Delete a job with its uploads and results now (a running job stops)',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrorResponses('invalid_id', 'job_not_found')
  async delete(
    @CurrentApiKey() key: AuthenticatedApiKey,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<void> {
    await this.jobs.delete(key, id);
  }
}
