import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { AppConfig } from '../../config/app-config.js';
import { PrismaService } from '../../infra/database/prisma.service.js';
import { ClusterScheduler } from '../../scheduling/cluster-scheduler.js';
import { DatabaseThrottlerStorage } from './database-throttler.storage.js';

/** With shared counters (`RATE_LIMIT_STORE=database`), deletes idle callers' rows every two windows. */
@Injectable()
export class RateLimitsCleanup implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: ClusterScheduler,
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.rateLimit.store !== 'database') return;
    const storage = new DatabaseThrottlerStorage(this.prisma);
    this.scheduler.every('rate-limits-cleanup', 2 * this.config.rateLimit.windowSeconds, () =>
      storage.deleteExpired(this.clock.now()),
    );
  }
}
