import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock.js';
import { ScheduledRunsRepository } from './scheduled-runs.repository.js';

/**
 * Runs housekeeping once per interval across every API instance on the database, not once per
 * instance. Each instance ticks on its own timer (registered with @nestjs/schedule's registry);
 * a tick runs the task only if it claims the interval in `scheduled_runs`. Instances' timers are
 * not aligned, so a claim is allowed once 90 % of the interval has passed since the last run:
 * runs stay about one interval apart whichever instance makes them, and if that instance stops,
 * another takes over on its next tick.
 */
@Injectable()
export class ClusterScheduler implements OnModuleDestroy {
  private readonly logger = new Logger(ClusterScheduler.name);
  /** Names this instance in `scheduled_runs.run_by` (which instance ran a job last). */
  readonly instance = randomUUID();
  private readonly names = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly runs: ScheduledRunsRepository,
    private readonly clock: Clock,
  ) {}

  /** Registers `task` to run about every `seconds` across all instances. */
  every(name: string, seconds: number, task: () => Promise<unknown>): void {
    const timer = setInterval(() => void this.tick(name, seconds, task), seconds * 1000);
    timer.unref();
    this.registry.addInterval(name, timer);
    this.names.add(name);
  }

  /**
   * One tick: claim, then run. Resolves true when this instance ran the task. A tick while the
   * previous run of the same task is still going does nothing.
   */
  async tick(name: string, seconds: number, task: () => Promise<unknown>): Promise<boolean> {
    if (this.running.has(name)) return false;
    const now = this.clock.now();
    const notBefore = new Date(now.getTime() - seconds * 900);
    let release!: () => void;
    this.running.set(name, new Promise((resolve) => (release = resolve)));
    try {
      if (!(await this.runs.claim(name, this.instance, now, notBefore))) return false;
      await task();
      return true;
    } catch (error) {
      this.logger.error(`Scheduled job ${name} failed: ${(error as Error).message}`);
      return false;
    } finally {
      this.running.delete(name);
      release();
    }
  }

  /** Stops the timers and waits for runs in progress (graceful shutdown). */
  async onModuleDestroy(): Promise<void> {
    for (const name of this.names) {
      if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
    }
    await Promise.all(this.running.values());
  }
}
