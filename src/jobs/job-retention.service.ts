import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { EncodingsRepository } from '../encodings/encodings.repository.js';
import { ClusterScheduler } from '../scheduling/cluster-scheduler.js';
import { JobsRepository } from './jobs.repository.js';

const JOB_NAME = 'job-retention';
const BATCH = 500;

/**
 * Deletes ended jobs past JOB_RETENTION_SECONDS (their items, results and any inputs left go with
 * them) and encodings unused for ENCODINGS_RETENTION_SECONDS — once per interval across all
 * instances on the database (ClusterScheduler). Jobs whose uploads never finished being stored
 * (the instance stopped mid-request) expire the same way.
 */
@Injectable()
export class JobRetentionService implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobRetentionService.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly encodings: EncodingsRepository,
    private readonly scheduler: ClusterScheduler,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.every(JOB_NAME, this.config.jobs.cleanupIntervalSeconds, () => this.runOnce());
  }

  /** One sweep; returns what was deleted. */
  async runOnce(): Promise<{ jobs: number; encodings: number }> {
    let jobs = 0;
    let encodings = 0;
    for (let n = BATCH; n === BATCH; jobs += n) n = await this.jobs.deleteExpired(BATCH);
    const { retentionSeconds } = this.config.encodings;
    if (retentionSeconds > 0) {
      for (let n = BATCH; n === BATCH; encodings += n) {
        n = await this.encodings.deleteUnusedFor(retentionSeconds, BATCH);
      }
    }
    if (jobs + encodings > 0)
      this.logger.log(`Deleted ${jobs} expired job(s) and ${encodings} unused encoding(s)`);
    return { jobs, encodings };
  }
}
