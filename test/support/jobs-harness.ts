import { ThrottlerStorage } from '@nestjs/throttler';
import type { AuthenticatedApiKey } from '../../src/api-keys/api-key.types.js';
import { InferenceCharge } from '../../src/api-keys/throttling/inference-charge.js';
import { MemoryThrottlerStorage } from '../../src/api-keys/throttling/memory-throttler.storage.js';
import { EncodingsRepository } from '../../src/encodings/encodings.repository.js';
import { EncodingsService } from '../../src/encodings/encodings.service.js';
import { JobInputsRepository } from '../../src/jobs/job-inputs.repository.js';
import { JobQueueRepository } from '../../src/jobs/job-queue.repository.js';
import { JobRetentionService } from '../../src/jobs/job-retention.service.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { JobWorker } from '../../src/jobs/job-worker.service.js';
import type { StoredUpload } from '../../src/jobs/job.types.js';
import { JobsRepository } from '../../src/jobs/jobs.repository.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { EnrolmentProcessor } from '../../src/jobs/processors/enrolment.processor.js';
import { JOB_PROCESSORS, type JobItemProcessor } from '../../src/jobs/processors/job-processor.js';
import { RecognitionProcessor } from '../../src/jobs/processors/recognition.processor.js';
import { ClusterScheduler } from '../../src/scheduling/cluster-scheduler.js';
import { FfmpegBinary } from '../../src/video/ffmpeg-binary.js';
import { VideoInspector } from '../../src/video/video-inspector.js';
import type { PrismaService } from '../../src/infra/database/prisma.service.js';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FakeFaceModels } from './fake-face-models.js';
import { type ServiceHarness, startServiceHarness } from './service-harness.js';

export interface JobsHarness extends ServiceHarness {
  jobs: JobsService;
  worker: JobWorker;
  queue: JobQueueRepository;
  retention: JobRetentionService;
  /** Writes `bytes` to a temporary file, as the upload storage does for a request. */
  upload(bytes: Uint8Array, name?: string): Promise<StoredUpload>;
  /** Polls until the job has ended (or `ms` pass), and returns it. */
  settle(key: AuthenticatedApiKey, id: string, ms?: number): Promise<Awaited<ReturnType<JobsService['get']>>>;
}

/** A key as the guards would attach it, stored (jobs reference their key). */
export async function testKey(
  prisma: PrismaService,
  scopes: AuthenticatedApiKey['scopes'] = ['enroll', 'recognise'],
): Promise<AuthenticatedApiKey> {
  const id = randomUUID();
  const prefix = `frk_test_${id.slice(0, 8)}`;
  await prisma.apiKey.create({
    data: { id, name: 'test', prefix, keyHash: createHash('sha256').update(id).digest('hex'), scopes },
  });
  return { id, name: 'test', prefix, scopes, rateLimitPerMinute: null, inferenceLimitPerMinute: null };
}

/**
 * The service harness (real database, fake inference) with the jobs services as JobsModule wires
 * them. The worker does not start by itself (SERVICE_ROLE=api): a test starts it when it wants
 * items processed. Retention runs on demand, not on a timer.
 */
export async function startJobsHarness(
  models: FakeFaceModels,
  env: Record<string, string> = {},
): Promise<JobsHarness> {
  const noTimers = { every: () => undefined } as unknown as ClusterScheduler;
  const harness = await startServiceHarness(models, {
    env: { SERVICE_ROLE: 'api', JOB_RETRY_DELAY_MS: '0', JOB_POLL_INTERVAL_MS: '50', ...env },
    providers: [
      { provide: ThrottlerStorage, useValue: new MemoryThrottlerStorage() },
      { provide: ClusterScheduler, useValue: noTimers },
      InferenceCharge,
      FfmpegBinary,
      VideoInspector,
      EncodingsRepository,
      EncodingsService,
      JobsRepository,
      JobQueueRepository,
      JobInputsRepository,
      JobsService,
      JobRunner,
      JobWorker,
      JobRetentionService,
      EnrolmentProcessor,
      RecognitionProcessor,
      {
        provide: JOB_PROCESSORS,
        useFactory: (...processors: JobItemProcessor[]) => processors,
        inject: [EnrolmentProcessor, RecognitionProcessor],
      },
    ],
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'jobs-harness-'));
  const jobs = harness.moduleRef.get(JobsService);
  const worker = harness.moduleRef.get(JobWorker);
  return {
    ...harness,
    jobs,
    worker,
    queue: harness.moduleRef.get(JobQueueRepository),
    retention: harness.moduleRef.get(JobRetentionService),
    async upload(bytes, name = 'photo.png') {
      const file = path.join(dir, randomUUID());
      await writeFile(file, bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      return { path: file, originalname: name, mimetype: 'image/png', size: bytes.byteLength, sha256 };
    },
    async settle(key, id, ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const job = await jobs.get(key, id);
        if (!['queued', 'running'].includes(job.status) || Date.now() > deadline) return job;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await worker.stop();
      await harness.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
