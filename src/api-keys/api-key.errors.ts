import { DomainError } from '../common/domain-error.js';
import type { ApiKeyScope } from './api-key-scopes.js';

// Messages name the expected place of a key but never echo the key itself.
const WHERE = 'Send it in the x-api-key header or as Authorization: Bearer <key>.';

export class MissingApiKeyError extends DomainError {
  constructor() {
    super(401, 401, `An API key is required. ${WHERE}`);
  }
}

export class InvalidApiKeyError extends DomainError {
  constructor() {
    super(401, 401, 'Invalid API key');
  }
}

export class RevokedApiKeyError extends DomainError {
  constructor() {
    super(401, 401, 'This API key has been revoked');
  }
}

/** Keys in URLs end up in proxy logs, browser history and Referer headers, so they are refused. */
export class ApiKeyInUrlError extends DomainError {
  constructor() {
    super(400, 400, `API keys are not accepted in the URL. ${WHERE}`);
  }
}

export class InsufficientScopeError extends DomainError {
  constructor(readonly missing: ApiKeyScope[]) {
    super(403, 403, `This API key lacks the required scope(s): ${missing.join(', ')}`);
  }
}

export class RateLimitExceededError extends DomainError {
  constructor(tier: string, limit: number, windowSeconds: number, retryAfterSeconds: number) {
    super(
      429,
      429,
      `Rate limit exceeded (${tier}: ${limit} requests per ${windowSeconds}s); retry in ${retryAfterSeconds}s`,
    );
  }
}
