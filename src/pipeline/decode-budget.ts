import { DomainError } from '../common/domain-error.js';

/** 503 with a Retry-After: decoding memory is taken by other uploads right now. */
export class DecoderBusyError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(503, 503, 'The service is busy decoding other large images; retry shortly', undefined, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

interface Waiter {
  pixels: number;
  grant: () => void;
}

/**
 * Bounds the memory spent on decoded images, whatever the number of concurrent uploads: an upload
 * holds `width × height` pixels of a shared budget from before it is decoded until its request is
 * done with the pixels. A decoded 40-megapixel photo is 120 MB of RGB before libvips' own working
 * memory, so twenty at once would need gigabytes; with the budget they queue (first come, first
 * served) and, after `queueTimeoutMs`, are refused with 503 and Retry-After.
 */
export class DecodeBudget {
  private used = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly capacity: number,
    private readonly queueTimeoutMs: number,
  ) {}

  get inUse(): number {
    return this.used;
  }

  /** Runs `use` holding `pixels` of the budget (at most the capacity). */
  async run<T>(pixels: number, use: () => Promise<T>): Promise<T> {
    const amount = Math.min(Math.max(1, pixels), this.capacity);
    await this.acquire(amount);
    try {
      return await use();
    } finally {
      this.release(amount);
    }
  }

  private acquire(pixels: number): Promise<void> {
    if (this.waiters.length === 0 && this.used + pixels <= this.capacity) {
      this.used += pixels;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        pixels,
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new DecoderBusyError(Math.max(1, Math.ceil(this.queueTimeoutMs / 1000))));
        this.grantWaiting(); // a large waiter leaving may let smaller ones behind it in
      }, this.queueTimeoutMs);
      this.waiters.push(waiter);
    });
  }

  private release(pixels: number): void {
    this.used -= pixels;
    this.grantWaiting();
  }

  private grantWaiting(): void {
    while (this.waiters.length > 0 && this.used + this.waiters[0]!.pixels <= this.capacity) {
      const next = this.waiters.shift()!;
      this.used += next.pixels;
      next.grant();
    }
  }
}
