import type { DbClient } from '../../infra/database/db-client.js';
import type { ClaimedItem, JobKind } from '../job.types.js';

/** What a processor gets for one claimed item. */
export interface ItemContext {
  item: ClaimedItem;
  /** Aborts when the item is cancelled, taken over, or the instance shuts down. */
  signal: AbortSignal;
  /** The uploaded bytes, whole (photos). */
  readInput(): Promise<Buffer>;
  /** The uploaded bytes written to a file, a chunk at a time (videos). */
  writeInputTo(path: string): Promise<void>;
  /**
   * Ends the item as completed inside the processor's own transaction, so that what it wrote and
   * the record of it commit together (a retried item never enrols its person twice). Throws, and
   * so rolls the transaction back, when the worker no longer holds the item.
   */
  completeIn(tx: DbClient, result: unknown): Promise<void>;
}

/**
 * One kind of job item's work. `process` returns the item's result; a processor that called
 * `completeIn` returns that same result, and the runner writes nothing more. A DomainError with
 * a 4xx status fails the item at once; other errors are retried (see retry-policy.ts).
 */
export abstract class JobItemProcessor {
  abstract readonly kind: JobKind;
  abstract process(context: ItemContext): Promise<unknown>;
}

/** Injection token of the processors, one per kind. */
export const JOB_PROCESSORS = Symbol('JOB_PROCESSORS');
