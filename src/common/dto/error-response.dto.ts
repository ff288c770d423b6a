import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ description: 'The request field that failed validation', example: 'birthdate' })
  field!: string;

  @ApiProperty({
    type: [String],
    description: 'What is wrong with it',
    example: ['birthdate must be a date in the past (YYYY-MM-DD)'],
  })
  errors!: string[];
}

/** What a 409 "face already enrolled" names: the user the face belongs to. */
export class ConflictDetailsDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The enrolled user the face already belongs to',
    example: '0b8f6a2e-4c1d-4f7a-9a3e-2d5b6c7e8f90',
  })
  user_id!: string;
}

/**
 * The one error envelope every failing request gets. Statuses other than 400 and 409 carry
 * nothing more than these four fields.
 */
export class ErrorResponseDto {
  @ApiProperty({ enum: ['error'], example: 'error' })
  status!: 'error';

  @ApiProperty({
    type: 'integer',
    description:
      'Stable error code: the HTTP status, or a service-specific code (601: no face detected; ' +
      '602, 603, 604: face too small, turned or blurred to enrol)',
    example: 404,
  })
  error_code!: number;

  @ApiProperty({ description: 'Human-readable explanation', example: 'Invalid API key' })
  message!: string;

  @ApiProperty({
    description: 'Id of the request, also in the X-Request-Id header and the logs',
    example: '3f1c2a4e-8d5b-4c1e-9a77-2b6f0d1e9c30',
  })
  requestId!: string;
}

/**
 * A 400: the request failed validation (`details` lists every failing field), or the image or its
 * face was refused (error_code 400, 601–604; no `details`).
 */
export class ValidationErrorResponseDto extends ErrorResponseDto {
  @ApiProperty({
    type: 'integer',
    enum: [400, 601, 602, 603, 604],
    description:
      '400: invalid request or image; 601: no face detected; 602: face too small to enrol; ' +
      '603: face turned too far to enrol; 604: face too blurred to enrol',
    example: 400,
  })
  declare error_code: 400 | 601 | 602 | 603 | 604;

  @ApiPropertyOptional({
    type: [FieldErrorDto],
    description: 'Every field that failed validation (present only when validation failed)',
  })
  details?: FieldErrorDto[];
}

/**
 * A 409: the request conflicts with stored data. `details` is present only when a face is already
 * enrolled as another user, and names that user.
 */
export class ConflictErrorResponseDto extends ErrorResponseDto {
  @ApiProperty({ type: 'integer', enum: [409], description: 'Always 409', example: 409 })
  declare error_code: 409;

  @ApiPropertyOptional({
    type: ConflictDetailsDto,
    description: 'The user a face is already enrolled as (only for that conflict)',
  })
  details?: ConflictDetailsDto;
}

/** The body the exception filter writes: the envelope, with `details` for 400 and 409 only. */
export type ErrorEnvelope = ErrorResponseDto & { details?: FieldErrorDto[] | ConflictDetailsDto };
