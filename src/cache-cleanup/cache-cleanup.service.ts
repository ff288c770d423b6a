import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { ClusterScheduler } from '../scheduling/cluster-scheduler.js';
import { FaceCacheRepository } from './face-cache.repository.js';

const JOB_NAME = 'face-cache-cleanup';

/**
 * Deletes expired cache rows in batches on a configurable interval — once per interval across all
 * instances on the database (ClusterScheduler). Expiry is also enforced on read (`take` ignores
 * expired rows), so this job only reclaims space and never decides validity.
 */
@Injectable()
export class CacheCleanupService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CacheCleanupService.name);
  private running: Promise<number> | null = null;

  constructor(
    private readonly repository: FaceCacheRepository,
    private readonly scheduler: ClusterScheduler,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.every(JOB_NAME, this.config.cache.cleanupIntervalSeconds, () => this.runOnce());
  }

  async onModuleDestroy(): Promise<void> {
    await this.running;
  }

  /** One sweep: batches until nothing expired is left. Overlapping calls share the sweep in progress. */
  runOnce(): Promise<number> {
    this.running ??= this.sweep().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async sweep(): Promise<number> {
    const { cleanupBatchSize } = this.config.cache;
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.repository.deleteExpired(this.clock.now(), cleanupBatchSize);
        total += deleted;
        if (deleted < cleanupBatchSize) break;
      }
      if (total > 0) this.logger.log(`Deleted ${total} expired cached face(s)`);
      else this.logger.debug('No expired cached faces');
    } catch (error) {
      this.logger.error(`Cache cleanup failed: ${(error as Error).message}`);
    }
    return total;
  }
}
