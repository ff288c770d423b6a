import { createFaceClient, type FaceClient, type Schemas } from '../../../client/index.js';
import { progressFetch } from './upload-fetch.js';

export { toFormData } from '../../../client/index.js';
export type { FaceClient, Schemas };

/** A failed call as the console shows it: the error envelope's fields, or what went wrong on the way. */
export interface Failure {
  /** HTTP status; 0 when the service could not be reached. */
  status: number;
  /** The envelope's error_code (the HTTP status, or 601–604 for face errors). */
  code: number;
  message: string;
  /** Fields that failed validation (400). */
  fields?: Array<{ field: string; errors: string[] }>;
  /** The user a face is already enrolled as (409). */
  userId?: string;
  requestId?: string;
}

export class ApiError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/** Called when the service answers 401: the key was revoked or the session is stale. */
let onUnauthorised: (failure: Failure) => void = () => undefined;
export function handleUnauthorised(handler: (failure: Failure) => void): void {
  onUnauthorised = handler;
}

export function client(key: string): FaceClient {
  return createFaceClient(location.origin, { apiKey: key });
}

/** A client whose uploads report their progress (0–1). */
export function uploadClient(key: string, onProgress: (fraction: number) => void): FaceClient {
  return createFaceClient(location.origin, { apiKey: key, fetch: progressFetch(onProgress) });
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits a typed client call and returns its data, or throws an `ApiError` carrying the error
 * envelope. Network failures become a failure with status 0, so pages handle one kind of error.
 */
export async function call<T>(pending: Promise<Result<T>>): Promise<T> {
  return (await callWithResponse(pending)).data;
}

/** `call`, also giving the response (for its headers). */
export async function callWithResponse<T>(
  pending: Promise<Result<T>>,
): Promise<{ data: T; response: Response }> {
  let result: Result<T>;
  try {
    result = await pending;
  } catch (error) {
    throw new ApiError({
      status: 0,
      code: 0,
      message: `The service could not be reached (${error instanceof Error ? error.message : String(error)})`,
    });
  }
  if (result.response.ok) return { data: result.data as T, response: result.response };
  const failure = toFailure(result.response.status, result.error);
  if (failure.status === 401) onUnauthorised(failure);
  throw new ApiError(failure);
}

function toFailure(status: number, body: unknown): Failure {
  if (
    typeof body !== 'object' ||
    body === null ||
    typeof (body as { message?: unknown }).message !== 'string'
  ) {
    return { status, code: status, message: `The service answered ${status} without an explanation` };
  }
  const envelope = body as { error_code?: number; message: string; requestId?: string; details?: unknown };
  const failure: Failure = {
    status,
    code: envelope.error_code ?? status,
    message: envelope.message,
    ...(envelope.requestId !== undefined && { requestId: envelope.requestId }),
  };
  if (Array.isArray(envelope.details)) failure.fields = envelope.details as Failure['fields'];
  else if (typeof envelope.details === 'object' && envelope.details !== null) {
    const userId = (envelope.details as { user_id?: unknown }).user_id;
    if (typeof userId === 'string') failure.userId = userId;
  }
  return failure;
}

/** The failure behind anything a page caught. */
export function failureOf(error: unknown): Failure {
  if (error instanceof ApiError) return error.failure;
  return { status: 0, code: 0, message: error instanceof Error ? error.message : String(error) };
}

/** The errors the envelope reports for one form field, if any. */
export function fieldErrors(failure: Failure | undefined, field: string): string[] {
  return failure?.fields?.find((f) => f.field === field)?.errors ?? [];
}

/**
 * When a server time (`expiresAt`) falls due on this browser's clock: the response's Date header
 * tells how far the two clocks are apart, so a countdown is right even on a machine whose clock is off.
 */
export function localDeadline(serverTime: string, response: Response): number {
  const at = Date.parse(serverTime);
  const serverNow = Date.parse(response.headers.get('date') ?? '');
  return Number.isNaN(serverNow) ? at : Date.now() + (at - serverNow);
}
