import type { Request } from 'express';
import type { ApiKeyScope } from './api-key-scopes.js';

/** An API key as stored, without its hash (which never leaves the repository). */
export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  rateLimitPerMinute: number | null;
  inferenceLimitPerMinute: number | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface NewApiKey {
  name: string;
  scopes: ApiKeyScope[];
  rateLimitPerMinute?: number | null;
  inferenceLimitPerMinute?: number | null;
}

/** The key a request was made with, as the guards attach it to the request. */
export interface AuthenticatedApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  rateLimitPerMinute: number | null;
  inferenceLimitPerMinute: number | null;
}

/** Why a request carries no authenticated key; decides the 401 message on protected routes. */
export type ApiKeyFailure = 'missing' | 'invalid' | 'revoked';

/** The request as the authentication guard leaves it. */
export interface ApiKeyRequest extends Request {
  apiKey?: AuthenticatedApiKey;
  apiKeyFailure?: ApiKeyFailure;
}
