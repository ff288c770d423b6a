/**
 * What each scope unlocks:
 * - `recognise`: recognise, identify, verify, detect, embed (read-only inference);
 * - `enroll`: add users and their faces;
 * - `manage`: read, update and delete users, statistics;
 * - `metrics`: the Prometheus endpoint, and nothing else (what a scraper's key needs);
 * - `admin`: API keys — and, by choice, every other scope too. An admin key can mint itself any
 *   scoped key, so withholding the other scopes from it would protect nothing and only make
 *   operators juggle two keys.
 */
export const API_KEY_SCOPES = ['recognise', 'enroll', 'manage', 'metrics', 'admin'] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The scope that implies all the others. */
export const ADMIN_SCOPE: ApiKeyScope = 'admin';

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** The required scopes that `granted` does not cover (all of them are needed; admin covers any). */
export function missingScopes(granted: readonly string[], required: readonly ApiKeyScope[]): ApiKeyScope[] {
  if (granted.includes(ADMIN_SCOPE)) return [];
  return required.filter((scope) => !granted.includes(scope));
}

export function hasScopes(granted: readonly string[], required: readonly ApiKeyScope[]): boolean {
  return missingScopes(granted, required).length === 0;
}

/**
 * Keeps the known scopes of a stored row, in canonical order and without duplicates. A scope that
 * a later version dropped simply grants nothing, rather than failing every request of that key.
 */
export function normalizeScopes(scopes: readonly string[]): ApiKeyScope[] {
  return API_KEY_SCOPES.filter((scope) => scopes.includes(scope));
}

/** Parses `recognise,enroll` (the CLI's form). Throws on an empty list or an unknown scope. */
export function parseScopeList(text: string): ApiKeyScope[] {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const unknown = parts.filter((part) => !isApiKeyScope(part));
  if (unknown.length > 0) {
    throw new Error(`Unknown scope(s): ${unknown.join(', ')} (known: ${API_KEY_SCOPES.join(', ')})`);
  }
  if (parts.length === 0) throw new Error(`At least one scope is required (${API_KEY_SCOPES.join(', ')})`);
  return normalizeScopes(parts);
}
