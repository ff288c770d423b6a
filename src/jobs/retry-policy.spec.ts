import { describe, expect, it } from 'vitest';
import { BadRequestError, DomainError, ServiceUnavailableError } from '../common/domain-error.js';
import { NoFaceDetectedError } from '../face/face.errors.js';
import { PermanentError } from '../common/permanent-error.js';
import { backoff, decide, describeError, MAX_RETRY_DELAY_MS } from './retry-policy.js';

const policy = { maxAttempts: 3, retryDelayMs: 1000 };
const middle = () => 0.5; // no jitter

describe('job retry policy', () => {
  it('fails an item at once for faults of its input (4xx), whatever the attempts left', () => {
    expect(decide(new NoFaceDetectedError(), 1, policy, middle)).toEqual({
      action: 'fail',
      error: { error_code: 601, http_status: 400, message: 'Face not detected in the image' },
    });
    expect(decide(new BadRequestError('bad'), 1, policy).action).toBe('fail');
    expect(decide(new PermanentError(503, 503, 'no ffmpeg'), 1, policy).action).toBe('fail');
  });

  it('retries transient failures with exponential backoff until the attempts run out', () => {
    const busy = new ServiceUnavailableError('busy');
    expect(decide(busy, 1, policy, middle)).toMatchObject({ action: 'retry', delayMs: 1000 });
    expect(decide(new Error('connection reset'), 2, policy, middle)).toMatchObject({
      action: 'retry',
      delayMs: 2000,
    });
    expect(decide(busy, 3, policy, middle)).toMatchObject({ action: 'fail', error: { error_code: 503 } });
  });

  it('doubles the delay per attempt, with ±20 % jitter and a cap', () => {
    expect([1, 2, 3, 4].map((a) => backoff(a, 500, middle))).toEqual([500, 1000, 2000, 4000]);
    expect(backoff(2, 1000, () => 0)).toBe(1600);
    expect(backoff(2, 1000, () => 1)).toBe(2400);
    expect(backoff(40, 1000, middle)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('reports domain errors as the API would, and hides unexpected ones', () => {
    const conflict = new DomainError(409, 409, 'already enrolled', { user_id: 'u' });
    expect(describeError(conflict)).toEqual({
      error_code: 409,
      http_status: 409,
      message: 'already enrolled',
      details: { user_id: 'u' },
    });
    expect(describeError(new TypeError('x is undefined'))).toEqual({
      error_code: 500,
      http_status: 500,
      message: 'Internal error while processing this item',
    });
  });
});
