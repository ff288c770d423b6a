import { Module } from '@nestjs/common';
import { InferenceCharge } from '../api-keys/throttling/inference-charge.js';
import { EncodingsModule } from '../encodings/encodings.module.js';
import { EnrollmentModule } from '../enrollment/enrollment.module.js';
import { GalleryModule } from '../gallery/gallery.module.js';
import { MatchingModule } from '../matching/matching.module.js';
import { VideoModule } from '../video/video.module.js';
import { JobInputsRepository } from './job-inputs.repository.js';
import { JobQueueRepository } from './job-queue.repository.js';
import { JobRetentionService } from './job-retention.service.js';
import { JobRunner } from './job-runner.js';
import { JobStatusController } from './job-status.controller.js';
import { JobWorker } from './job-worker.service.js';
import { JobsController } from './jobs.controller.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';
import { EnrolmentProcessor } from './processors/enrolment.processor.js';
import { JOB_PROCESSORS, type JobItemProcessor } from './processors/job-processor.js';
import { RecognitionProcessor } from './processors/recognition.processor.js';
import { VideoProcessor } from './processors/video.processor.js';

/**
 * Asynchronous jobs on the application's own database: the API to create and follow them, the
 * queue (jobs and job_items tables, claimed with FOR UPDATE SKIP LOCKED under leases), the
 * in-process worker and one processor per kind. See docs/jobs.md.
 */
@Module({
  imports: [GalleryModule, MatchingModule, EnrollmentModule, EncodingsModule, VideoModule],
  controllers: [JobsController, JobStatusController],
  providers: [
    JobsRepository,
    JobQueueRepository,
    JobInputsRepository,
    JobsService,
    JobRunner,
    JobWorker,
    JobRetentionService,
    InferenceCharge,
    EnrolmentProcessor,
    RecognitionProcessor,
    VideoProcessor,
    {
      provide: JOB_PROCESSORS,
      useFactory: (...processors: JobItemProcessor[]) => processors,
      inject: [EnrolmentProcessor, RecognitionProcessor, VideoProcessor],
    },
  ],
  exports: [JobsService, JobWorker],
})
export class JobsModule {}
