import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../dto/error-response.dto.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (validation failed, or no face detected: error_code 601)',
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

/** Documents the error envelope for the given statuses (401, 403, 429 and 500 apply to every API route). */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([...statuses, 500])].sort();
  return applyDecorators(
    ...all.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorResponseDto }),
    ),
  );
}
