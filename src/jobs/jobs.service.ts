import { Injectable, Logger, Optional } from '@nestjs/common';
import { ADMIN_SCOPE } from '../api-keys/api-key-scopes.js';
import type { AuthenticatedApiKey } from '../api-keys/api-key.types.js';
import { InferenceCharge } from '../api-keys/throttling/inference-charge.js';
import { BadRequestError } from '../common/domain-error.js';
import { pageOf } from '../common/dto/pagination.dto.js';
import { AppConfig } from '../config/app-config.js';
import { VideoInspector } from '../video/video-inspector.js';
import type { EnrolmentPersonDto } from './dto/create-job.dto.js';
import {
  JobDto,
  JobItemDto,
  type JobItemPageDto,
  type JobPageDto,
  type ListJobItemsQueryDto,
  type ListJobsQueryDto,
} from './dto/job.dto.js';
import { JobInputsRepository } from './job-inputs.repository.js';
import { JobFinishedError, JobNotFoundError, TooManyJobsError } from './job.errors.js';
import type { JobKind, JobRecord, NewJobItem, StoredUpload } from './job.types.js';
import { JobWorker } from './job-worker.service.js';
import { JobsRepository } from './jobs.repository.js';

/**
 * A video counts against the inference limit as one request per this many analysed frames: a
 * frame costs about what one photo does, but is analysed in batches and is usually smaller.
 */
const FRAMES_PER_CHARGE = 10;

/**
 * Creating, reading and cancelling jobs. A job's uploads are copied into the database before its
 * id is returned, so it survives a restart from that moment; workers (here, or on worker-only
 * instances) take its items from the queue. A key sees and cancels its own jobs; an admin key,
 * every job.
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly inputs: JobInputsRepository,
    private readonly inspector: VideoInspector,
    private readonly charge: InferenceCharge,
    private readonly config: AppConfig,
    @Optional() private readonly worker?: JobWorker,
  ) {}

  async createEnrolment(
    key: AuthenticatedApiKey,
    uploads: StoredUpload[],
    people: EnrolmentPersonDto[],
  ): Promise<JobDto> {
    requireFiles(uploads, 'images');
    if (people.length !== uploads.length) {
      throw new BadRequestError(
        `people has ${people.length} entr${people.length === 1 ? 'y' : 'ies'} for ${uploads.length} image(s); give one per image, in order`,
      );
    }
    const items = uploads.map((upload, i) => ({ upload, input: personInput(people[i]!) }));
    return this.create(key, 'enrolment', items, {}, uploads.length);
  }

  async createRecognition(key: AuthenticatedApiKey, uploads: StoredUpload[]): Promise<JobDto> {
    requireFiles(uploads, 'images');
    return this.create(
      key,
      'recognition',
      uploads.map((upload) => ({ upload, input: {} })),
      {},
      uploads.length,
    );
  }

  /** Probes the video first, so that a file that is not one, or is too long or too large, is refused now. */
  async createVideo(key: AuthenticatedApiKey, uploads: StoredUpload[], sampleFps?: number): Promise<JobDto> {
    const [upload] = requireFiles(uploads, 'video');
    const probe = await this.inspector.inspect(upload!.path);
    const fps = sampleFps ?? this.config.video.sampleFps;
    const duration = Math.min(
      probe.durationSeconds ?? this.config.video.maxDurationSeconds,
      this.config.video.maxDurationSeconds,
    );
    const units = Math.max(1, Math.ceil((duration * fps) / FRAMES_PER_CHARGE));
    const options = {
      sample_fps: fps,
      video: {
        container: probe.container,
        codec: probe.codec,
        width: probe.width,
        height: probe.height,
        duration_s: probe.durationSeconds,
      },
    };
    return this.create(key, 'video', [{ upload: upload!, input: {} }], options, units);
  }

  async list(key: AuthenticatedApiKey, query: ListJobsQueryDto): Promise<JobPageDto> {
    const { page, limit, skip } = pageOf(query);
    const { rows, total } = await this.jobs.list(
      { apiKeyId: isAdmin(key) ? undefined : key.id, status: query.status, kind: query.kind },
      skip,
      limit,
    );
    return { page, limit, total, items: rows.map(JobDto.from) };
  }

  async get(key: AuthenticatedApiKey, id: string): Promise<JobDto> {
    return JobDto.from(await this.visible(key, id));
  }

  async items(key: AuthenticatedApiKey, id: string, query: ListJobItemsQueryDto): Promise<JobItemPageDto> {
    await this.visible(key, id);
    const { page, limit, skip } = pageOf(query);
    const { rows, total } = await this.jobs.items(id, query.status, skip, limit);
    return { page, limit, total, items: rows.map(JobItemDto.from) };
  }

  /** Cancels a queued or running job: its unfinished items stop; finished ones keep their results. */
  async cancel(key: AuthenticatedApiKey, id: string): Promise<JobDto> {
    const job = await this.visible(key, id);
    if (!(await this.jobs.cancel(id, this.config.jobs.retentionSeconds))) {
      throw new JobFinishedError(id, (await this.jobs.find(id))?.status ?? job.status);
    }
    void this.worker?.checkHeld();
    return this.get(key, id);
  }

  /** Deletes a job and its results at once (cancelling it first when it is still active). */
  async delete(key: AuthenticatedApiKey, id: string): Promise<void> {
    await this.visible(key, id);
    await this.jobs.delete(id);
    void this.worker?.checkHeld();
  }

  private async create(
    key: AuthenticatedApiKey,
    kind: JobKind,
    items: NewJobItem[],
    options: Record<string, unknown>,
    units: number,
  ): Promise<JobDto> {
    const { maxActivePerKey } = this.config.jobs;
    if ((await this.jobs.countActive(key.id)) >= maxActivePerKey) throw new TooManyJobsError(maxActivePerKey);
    // The request itself was counted by the throttler guard.
    await this.charge.charge(key, units - 1);
    const id = await this.jobs.insert({
      kind,
      apiKeyId: key.id,
      options,
      inputBytes: items.reduce((sum, item) => sum + item.upload.size, 0),
      items: items.map(({ upload, input }) => ({
        filename: upload.originalname || null,
        contentType: upload.mimetype || null,
        sha256: upload.sha256,
        bytes: upload.size,
        input,
      })),
    });
    try {
      for (const [seq, item] of items.entries())
        await this.inputs.store({ jobId: id, seq }, item.upload.path);
      await this.jobs.release(id);
    } catch (error) {
      await this.jobs.delete(id).catch(() => undefined);
      throw error;
    }
    this.logger.log(`Job ${id} (${kind}, ${items.length} item(s)) queued`);
    this.worker?.nudge();
    return this.get(key, id);
  }

  /** The job, when this key may see it; 404 otherwise (another key's job is not revealed). */
  private async visible(key: AuthenticatedApiKey, id: string): Promise<JobRecord> {
    const job = await this.jobs.find(id);
    if (!job || (!isAdmin(key) && job.apiKeyId !== key.id)) throw new JobNotFoundError(id);
    return job;
  }
}

function isAdmin(key: AuthenticatedApiKey): boolean {
  return key.scopes.includes(ADMIN_SCOPE);
}

function requireFiles(uploads: StoredUpload[], field: string): StoredUpload[] {
  if (uploads.length === 0) {
    throw new BadRequestError(`No files: send them as the multipart/form-data field '${field}'`);
  }
  return uploads;
}

function personInput(person: EnrolmentPersonDto): Record<string, unknown> {
  return {
    name: person.name,
    birthdate: person.birthdate,
    ...(person.email !== undefined && { email: person.email }),
  };
}
