import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { GalleryModels } from '../gallery/gallery-models.service.js';
import { JobQueueRepository, type ItemRef } from './job-queue.repository.js';
import type { ClaimedItem } from './job.types.js';
import { JobRunner, type StopReason } from './job-runner.js';

interface Running {
  item: ClaimedItem;
  controller: AbortController;
  done: Promise<void>;
}

const key = (item: ItemRef) => `${item.jobId}/${item.seq}`;

/**
 * The in-process job worker (SERVICE_ROLE all or worker): takes up to JOB_CONCURRENCY items at a
 * time from the queue, renews their leases every third of JOB_LEASE_SECONDS, and gives items of
 * workers that stopped renewing (killed, cut off) back to the queue. Idle, it looks for work every
 * JOB_POLL_INTERVAL_MS, and at once when a job is created here or an item ends. On shutdown it
 * stops the items in hand (ffmpeg is killed) and hands them back, so another instance — or this
 * one restarted — resumes the job where it stood.
 */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobWorker.name);
  /** Names this worker in job_items.lease_owner. */
  readonly owner = randomUUID();
  private readonly running = new Map<string, Running>();
  private loop?: Promise<void>;
  private heartbeat?: NodeJS.Timeout;
  private stopping = false;
  private wake?: () => void;
  /** Set when there may be work while the loop was busy, so that it does not go idle. */
  private woken = false;
  private lastReclaim = 0;

  constructor(
    private readonly queue: JobQueueRepository,
    private readonly runner: JobRunner,
    private readonly gallery: GalleryModels,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.jobs.runWorkers) return;
    await this.gallery.ready;
    this.start();
  }

  /** Starts the loop (tests that disable workers in configuration may start one by hand). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.lastReclaim = 0;
    this.loop = this.work();
    const every = (this.config.jobs.leaseSeconds * 1000) / 3;
    this.heartbeat = setInterval(() => void this.checkHeld(), every);
    this.heartbeat.unref();
  }

  /** Looks for work now (a job was just created). */
  nudge(): void {
    this.woken = true;
    this.wake?.();
  }

  /** Items in hand on this instance (tests, metrics). */
  get busy(): number {
    return this.running.size;
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Stops taking work, stops the items in hand and hands them back to the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    this.wake?.();
    for (const running of this.running.values()) running.controller.abort('shutdown' satisfies StopReason);
    await Promise.all([...this.running.values()].map((r) => r.done));
    await this.loop;
    this.loop = undefined;
  }

  /**
   * Renews the leases of the items in hand and stops those this worker no longer holds (their job
   * was cancelled or deleted, or the lease expired and another worker took the item).
   */
  async checkHeld(): Promise<void> {
    if (this.running.size === 0) return;
    try {
      const held = new Set((await this.queue.heartbeat(this.owner, this.config.jobs.leaseSeconds)).map(key));
      for (const [id, running] of this.running) {
        if (!held.has(id)) running.controller.abort('lost' satisfies StopReason);
      }
    } catch (error) {
      this.logger.warn(`Could not renew job leases: ${(error as Error).message}`);
    }
  }

  private async work(): Promise<void> {
    const { concurrency, pollIntervalMs, leaseSeconds } = this.config.jobs;
    while (!this.stopping) {
      try {
        await this.reclaimExpired();
        const free = concurrency - this.running.size;
        if (free > 0) {
          for (const item of await this.queue.claim(this.owner, free, leaseSeconds)) this.launch(item);
        }
      } catch (error) {
        this.logger.warn(`Job queue unavailable: ${(error as Error).message}`);
      }
      await this.idle(pollIntervalMs);
    }
  }

  private launch(item: ClaimedItem): void {
    const controller = new AbortController();
    const done = this.runner
      .run(item, this.owner, controller.signal)
      .then(async (outcome) => {
        if (outcome === 'released') await this.queue.release([item], this.owner);
      })
      .catch((error: Error) => this.logger.error(`Job ${item.jobId} item ${item.seq}: ${error.message}`))
      .finally(() => {
        this.running.delete(key(item));
        this.nudge();
      });
    this.running.set(key(item), { item, controller, done });
  }

  /** Every quarter lease, items whose worker stopped renewing go back to the queue (or fail, out of attempts). */
  private async reclaimExpired(): Promise<void> {
    const { leaseSeconds, maxAttempts, retentionSeconds } = this.config.jobs;
    if (Date.now() - this.lastReclaim < (leaseSeconds * 1000) / 4) return;
    this.lastReclaim = Date.now();
    for (const item of await this.queue.reclaimExpired(maxAttempts)) {
      this.logger.warn(
        `Job ${item.jobId} item ${item.seq}: its worker stopped on the last attempt; failing it`,
      );
      await this.queue.failExpired(
        item,
        {
          error_code: 500,
          http_status: 500,
          message: `Processing stopped ${maxAttempts} time(s) without finishing (the worker was killed or lost the database)`,
        },
        retentionSeconds,
      );
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.stopping || this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.woken = false;
        this.wake = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
