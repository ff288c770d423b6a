import { DomainError } from '../common/domain-error.js';
import { PermanentError } from '../common/permanent-error.js';
import type { JobItemError } from './job.types.js';

/** The longest wait between two attempts, whatever the attempt number. */
export const MAX_RETRY_DELAY_MS = 10 * 60 * 1000;

export type ItemOutcome =
  { action: 'fail'; error: JobItemError } | { action: 'retry'; error: JobItemError; delayMs: number };

/**
 * What to do with an item whose processing threw. The input's own faults (every 4xx: not an
 * image, no face, refused by the enrolment gate, already enrolled) fail the item at once — a
 * poison item fails alone, and its job goes on. Everything else (models busy, the database
 * briefly gone, an unexpected bug) is retried with exponential backoff until the attempts run out.
 */
export function decide(
  error: unknown,
  attempt: number,
  policy: { maxAttempts: number; retryDelayMs: number },
  random: () => number = Math.random,
): ItemOutcome {
  const described = describeError(error);
  const permanent =
    error instanceof PermanentError || (error instanceof DomainError && error.httpStatus < 500);
  if (permanent || attempt >= policy.maxAttempts) return { action: 'fail', error: described };
  return { action: 'retry', error: described, delayMs: backoff(attempt, policy.retryDelayMs, random) };
}

/**
 * The wait before attempt `attempt + 1`: base × 2^(attempt − 1), capped, with ±20 % jitter so
 * that items failed together (a database restart) do not all come back at the same instant.
 */
export function backoff(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

/** An error as an item reports it: the API's envelope fields, no internals for unexpected errors. */
export function describeError(error: unknown): JobItemError {
  if (error instanceof DomainError) {
    return {
      error_code: error.errorCode,
      http_status: error.httpStatus,
      message: error.message,
      ...(error.details !== undefined && { details: error.details }),
    };
  }
  return { error_code: 500, http_status: 500, message: 'Internal error while processing this item' };
}
