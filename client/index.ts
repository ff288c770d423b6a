/**
 * A typed client for the Face Recognition Service, built on openapi-fetch from the types that
 * `npm run client` generates from openapi.json (client/schema.d.ts). Every path, parameter, body
 * and response is checked against the API at compile time:
 *
 *   const api = createFaceClient('https://faces.example.com', { apiKey });
 *   const { data, error } = await api.GET('/api/v1/users', { params: { query: { name: 'ada' } } });
 *
 * Uploads are multipart: pass the fields as the body (images as Blobs) with `bodySerializer:
 * toFormData`.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

/** The request and response bodies by schema name, e.g. `Schemas['UserDto']`. */
export type Schemas = components['schemas'];
/** The error envelope every failure answers with (400 and 409 may add `details`). */
export type ErrorResponse =
  Schemas['ErrorResponseDto'] | Schemas['ValidationErrorResponseDto'] | Schemas['ConflictErrorResponseDto'];

export type FaceClient = Client<paths>;

export interface FaceClientOptions {
  /** Sent as `x-api-key` on every request. */
  apiKey: string;
  /** Another fetch (a test double, a proxy-aware one); globalThis.fetch by default. */
  fetch?: (input: Request) => Promise<Response>;
}

export function createFaceClient(baseUrl: string, options: FaceClientOptions): FaceClient {
  return createClient<paths>({
    baseUrl,
    headers: { 'x-api-key': options.apiKey },
    ...(options.fetch && { fetch: options.fetch }),
  });
}

/**
 * A `bodySerializer` for multipart routes: every field of the body as a form field, Blobs (and
 * Files, which keep their name) as files. Arrays repeat the field; undefined fields are left out.
 */
export function toFormData(body: object): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined) continue;
      form.append(name, item instanceof Blob ? item : String(item));
    }
  }
  return form;
}
