import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '../api-key-scopes.js';
import { Public, RequireScopes } from '../api-key.decorators.js';
import {
  InsufficientScopeError,
  InvalidApiKeyError,
  MissingApiKeyError,
  RevokedApiKeyError,
} from '../api-key.errors.js';
import type { ApiKeyFailure } from '../api-key.types.js';
import { ScopesGuard } from './scopes.guard.js';

@RequireScopes('manage')
class ManageController {
  read(): void {}

  @RequireScopes('enroll')
  enroll(): void {}

  @Public()
  open(): void {}
}

class UndeclaredController {
  anything(): void {}
}

function context(
  controller: new () => object,
  handler: string,
  auth: { scopes?: ApiKeyScope[]; failure?: ApiKeyFailure },
): ExecutionContext {
  const req = {
    apiKey: auth.scopes && {
      id: 'k',
      name: 'k',
      prefix: 'frk_live_x',
      scopes: auth.scopes,
      rateLimitPerMinute: null,
      inferenceLimitPerMinute: null,
    },
    apiKeyFailure: auth.failure,
  };
  return {
    getType: () => 'http',
    getClass: () => controller,
    getHandler: () => (controller.prototype as Record<string, unknown>)[handler],
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

describe('ScopesGuard', () => {
  const guard = new ScopesGuard(new Reflector());

  it('lets public routes through without a key', () => {
    expect(guard.canActivate(context(ManageController, 'open', { failure: 'missing' }))).toBe(true);
  });

  it('answers 401 by why there is no key', () => {
    expect(() => guard.canActivate(context(ManageController, 'read', { failure: 'missing' }))).toThrow(
      MissingApiKeyError,
    );
    expect(() => guard.canActivate(context(ManageController, 'read', { failure: 'invalid' }))).toThrow(
      InvalidApiKeyError,
    );
    expect(() => guard.canActivate(context(ManageController, 'read', { failure: 'revoked' }))).toThrow(
      RevokedApiKeyError,
    );
  });

  it('applies the controller scope, replaced by a handler scope', () => {
    expect(guard.canActivate(context(ManageController, 'read', { scopes: ['manage'] }))).toBe(true);
    expect(() => guard.canActivate(context(ManageController, 'read', { scopes: ['enroll'] }))).toThrow(
      InsufficientScopeError,
    );
    expect(guard.canActivate(context(ManageController, 'enroll', { scopes: ['enroll'] }))).toBe(true);
    expect(() => guard.canActivate(context(ManageController, 'enroll', { scopes: ['manage'] }))).toThrow(
      /lacks the required scope\(s\): enroll/,
    );
  });

  it('lets admin keys through everywhere', () => {
    expect(guard.canActivate(context(ManageController, 'enroll', { scopes: ['admin'] }))).toBe(true);
    expect(guard.canActivate(context(UndeclaredController, 'anything', { scopes: ['admin'] }))).toBe(true);
  });

  it('keeps routes without declared scopes admin-only', () => {
    for (const scope of ['recognise', 'enroll', 'manage'] as const) {
      expect(() => guard.canActivate(context(UndeclaredController, 'anything', { scopes: [scope] }))).toThrow(
        InsufficientScopeError,
      );
    }
  });

  it('uses a 403 in the error envelope format', () => {
    const error = new InsufficientScopeError(['enroll']);
    expect([error.httpStatus, error.errorCode]).toEqual([403, 403]);
  });
});
