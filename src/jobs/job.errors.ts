import { DomainError, NotFoundError } from '../common/domain-error.js';

export class JobNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`Job ${id} not found`);
  }
}

/** Cancelling a job that has already ended. */
export class JobFinishedError extends DomainError {
  constructor(id: string, status: string) {
    super(409, 409, `Job ${id} has already ended (${status}); nothing to cancel`);
  }
}

/** A key with JOB_MAX_ACTIVE_PER_KEY jobs queued or running. */
export class TooManyJobsError extends DomainError {
  constructor(limit: number) {
    super(
      429,
      429,
      `This key already has ${limit} jobs queued or running (JOB_MAX_ACTIVE_PER_KEY); wait for one to end`,
      undefined,
      { 'Retry-After': '30' },
    );
  }
}

/** An item's stored upload is gone (its job was cancelled or deleted meanwhile). */
export class JobInputMissingError extends DomainError {
  constructor() {
    super(410, 410, "The item's upload is no longer stored");
  }
}
