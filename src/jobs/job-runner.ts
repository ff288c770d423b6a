import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { JobInputsRepository } from './job-inputs.repository.js';
import { JobQueueRepository, LeaseLostError } from './job-queue.repository.js';
import type { ClaimedItem } from './job.types.js';
import { JOB_PROCESSORS, type ItemContext, type JobItemProcessor } from './processors/job-processor.js';
import { decide, describeError } from './retry-policy.js';

/** Why a running item was stopped from outside. */
export type StopReason = 'shutdown' | 'lost';

/** How one attempt at an item ended, for the worker. */
export type RunOutcome = 'completed' | 'failed' | 'retry' | 'released' | 'lost';

/**
 * One attempt at one claimed item: the kind's processor runs, then the item is completed with its
 * result, failed with its error, or put back to be retried after a backoff (see retry-policy.ts).
 * An item stopped for shutdown is left for the worker to hand back; one whose lease was lost
 * (cancelled, deleted, taken over) is left alone.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);
  private readonly processors: Map<string, JobItemProcessor>;

  constructor(
    @Inject(JOB_PROCESSORS) processors: JobItemProcessor[],
    private readonly queue: JobQueueRepository,
    private readonly inputs: JobInputsRepository,
    private readonly config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.processors = new Map(processors.map((p) => [p.kind, p]));
  }

  async run(item: ClaimedItem, owner: string, signal: AbortSignal): Promise<RunOutcome> {
    const outcome = await this.attempt(item, owner, signal);
    this.metrics?.countJobItem(item.kind, outcome);
    return outcome;
  }

  private async attempt(item: ClaimedItem, owner: string, signal: AbortSignal): Promise<RunOutcome> {
    const { retentionSeconds, maxAttempts, retryDelayMs } = this.config.jobs;
    let completedInTransaction = false;
    const context: ItemContext = {
      item,
      signal,
      readInput: () => this.inputs.read(item),
      writeInputTo: (path) => this.inputs.writeTo(item, path),
      completeIn: async (tx, result) => {
        await this.queue.finish(item, owner, { result }, retentionSeconds, tx);
        completedInTransaction = true;
      },
    };
    try {
      const processor = this.processors.get(item.kind);
      if (!processor) throw new Error(`No processor for job kind ${item.kind}`);
      signal.throwIfAborted();
      const result = await processor.process(context);
      if (!completedInTransaction) await this.queue.finish(item, owner, { result }, retentionSeconds);
      return 'completed';
    } catch (error) {
      if (error instanceof LeaseLostError || signal.reason === 'lost') return 'lost';
      if (signal.reason === 'shutdown') return 'released';
      const next = decide(error, item.attempts, { maxAttempts, retryDelayMs });
      if (next.error.http_status >= 500) {
        this.logger.warn(
          `Job ${item.jobId} item ${item.seq} (attempt ${item.attempts}): ${(error as Error).message ?? String(error)}`,
        );
      }
      try {
        if (next.action === 'retry') {
          return (await this.queue.retryLater(item, owner, next.delayMs, next.error)) ? 'retry' : 'lost';
        }
        await this.queue.finish(item, owner, { error: next.error }, retentionSeconds);
        return 'failed';
      } catch (writeError) {
        if (writeError instanceof LeaseLostError) return 'lost';
        // The database is unreachable: the lease expires and another attempt is made later.
        this.logger.error(
          `Job ${item.jobId} item ${item.seq}: could not record the outcome (${describeError(writeError).message})`,
        );
        return 'lost';
      }
    }
  }
}
