import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { hit, type ThrottlerStorageRecord, type WindowState } from './sliding-window.js';

/** Entries idle for this many windows are dropped by the sweep. */
const SWEEP_MS = 60_000;

/**
 * Rate-limit counters in this process's memory: right for one instance. Several instances behind a
 * load balancer share theirs in the database instead (`RATE_LIMIT_STORE=database`).
 */
@Injectable()
export class MemoryThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly states = new Map<string, WindowState & { ttl: number }>();
  private readonly sweep = setInterval(() => this.evict(Date.now()), SWEEP_MS);

  constructor() {
    this.sweep.unref();
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const id = `${throttlerName}\u0000${key}`;
    const { state, record } = hit(this.states.get(id), Date.now(), ttl, limit);
    this.states.set(id, { ...state, ttl });
    return Promise.resolve(record);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
  }

  /** Drops callers whose last window is older than the previous one: their counts no longer matter. */
  private evict(now: number): void {
    for (const [id, state] of this.states) {
      if (Math.floor(now / state.ttl) > state.window + 1) this.states.delete(id);
    }
  }
}
