import { Global, Module } from '@nestjs/common';
import { ClusterScheduler } from './cluster-scheduler.js';
import { ScheduledRunsRepository } from './scheduled-runs.repository.js';

/** Periodic housekeeping that runs once per interval across instances (see ClusterScheduler). */
@Global()
@Module({
  providers: [ScheduledRunsRepository, ClusterScheduler],
  exports: [ClusterScheduler],
})
export class SchedulingModule {}
