import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ApiKeyAuthenticator } from '../api-key-authenticator.js';
import { ApiKeyInUrlError } from '../api-key.errors.js';
import { extractApiKey, hasApiKeyInUrl } from '../api-key-extraction.js';
import type { ApiKeyRequest } from '../api-key.types.js';

/**
 * First of the three global guards: works out who is calling and attaches it to the request
 * (`req.apiKey`, or `req.apiKeyFailure`). It refuses nothing but keys in the URL; the throttler
 * runs next so that failed attempts count against the caller's IP, and `ScopesGuard` then answers
 * 401 or 403.
 */
@Injectable()
export class ApiKeyAuthGuard implements CanActivate {
  constructor(private readonly authenticator: ApiKeyAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<ApiKeyRequest>();
    if (hasApiKeyInUrl(req.originalUrl ?? req.url)) throw new ApiKeyInUrlError();
    const presented = extractApiKey(req.headers);
    if (!presented) {
      req.apiKeyFailure = 'missing';
      return true;
    }
    const result = await this.authenticator.authenticate(presented);
    if (result.ok) req.apiKey = result.key;
    else req.apiKeyFailure = result.failure;
    return true;
  }
}
