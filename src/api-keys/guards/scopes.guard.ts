import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ADMIN_SCOPE, type ApiKeyScope, missingScopes } from '../api-key-scopes.js';
import { IS_PUBLIC, REQUIRED_SCOPES } from '../api-key.decorators.js';
import {
  InsufficientScopeError,
  InvalidApiKeyError,
  MissingApiKeyError,
  RevokedApiKeyError,
} from '../api-key.errors.js';
import type { ApiKeyRequest } from '../api-key.types.js';

/**
 * Last of the three global guards: a route that is not `@Public()` needs an authenticated key
 * (401 otherwise) holding the route's `@RequireScopes` (403 otherwise). Routes that declare no
 * scopes are admin-only, so a forgotten decorator never opens a route.
 */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<ApiKeyRequest>();
    const key = req.apiKey;
    if (!key) {
      if (req.apiKeyFailure === 'revoked') throw new RevokedApiKeyError();
      if (req.apiKeyFailure === 'invalid') throw new InvalidApiKeyError();
      throw new MissingApiKeyError();
    }
    const required = this.reflector.getAllAndOverride<ApiKeyScope[] | undefined>(
      REQUIRED_SCOPES,
      targets,
    ) ?? [ADMIN_SCOPE];
    const missing = missingScopes(key.scopes, required);
    if (missing.length > 0) throw new InsufficientScopeError(missing);
    return true;
  }
}
