import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { API_KEY_SECURITY, BEARER_SECURITY } from '../openapi/openapi.js';
import type { ApiKeyScope } from './api-key-scopes.js';
import type { ApiKeyRequest, AuthenticatedApiKey } from './api-key.types.js';

export const IS_PUBLIC = 'apiKeys:isPublic';
export const REQUIRED_SCOPES = 'apiKeys:requiredScopes';
export const INFERENCE_ROUTE = 'apiKeys:inferenceRoute';

/**
 * The route (or every route of the controller) needs no API key. Such requests are still rate
 * limited, per IP with the anonymous limit, unless a valid key is sent.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * The key must hold all of these scopes (an `admin` key holds every scope). On a handler it
 * replaces the controller's requirement. A route with neither this nor `@Public()` is admin-only:
 * forgetting the decorator fails closed. Also lists the scopes in OpenAPI (`x-required-scopes`).
 */
export function RequireScopes(...scopes: [ApiKeyScope, ...ApiKeyScope[]]): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), ApiExtension('x-required-scopes', scopes));
}

/** Any valid key may call the route, whatever its scopes (e.g. reading what the service runs). */
export function AnyApiKey(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_SCOPES, []), ApiExtension('x-required-scopes', []));
}

/**
 * Marks a handler (or controller) as running a model: its requests also count against the stricter
 * `inference` rate-limit tier, per key. Put it on detect, embed, recognise, identify, verify, enroll.
 */
export const InferenceRoute = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(INFERENCE_ROUTE, true), ApiErrorResponses(429));

/**
 * Documents a controller as API-key protected: the key in `x-api-key` or as a Bearer token (either
 * will do), and the 400 (a key in the URL), 401, 403 and 429 envelopes — without 403 where any
 * valid key may call (`scoped: false`) and without 429 where rate limits are skipped
 * (`throttled: false`). Enforcement does not depend on it; the global guards protect every route.
 */
export const ApiKeyProtected = ({ scoped = true, throttled = true } = {}): ClassDecorator & MethodDecorator =>
  applyDecorators(
    ApiSecurity(API_KEY_SECURITY),
    ApiBearerAuth(BEARER_SECURITY),
    ApiErrorResponses(
      'key_in_url',
      401,
      ...(scoped ? [403 as const] : []),
      ...(throttled ? [429 as const] : []),
    ),
  );

/** The authenticated key of the request; only meaningful on routes that are not `@Public()`. */
export const CurrentApiKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedApiKey | undefined =>
    context.switchToHttp().getRequest<ApiKeyRequest>().apiKey,
);
