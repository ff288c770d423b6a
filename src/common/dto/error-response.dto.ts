import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ description: 'The request field that failed validation', example: 'birthdate' })
  field!: string;

  @ApiProperty({
    description: 'What is wrong with it',
    example: ['birthdate must be a date in the past (YYYY-MM-DD)'],
  })
  errors!: string[];
}

/** The one error envelope every failing request gets. */
export class ErrorResponseDto {
  @ApiProperty({ enum: ['error'], example: 'error' })
  status!: 'error';

  @ApiProperty({
    description: 'Stable error code: the HTTP status, or a service-specific code (601: no face detected)',
    example: 400,
  })
  error_code!: number;

  @ApiProperty({ description: 'Human-readable explanation', example: 'Validation failed' })
  message!: string;

  @ApiProperty({
    description: 'Id of the request, also in the X-Request-Id header and the logs',
    example: '3f1c2a4e-8d5b-4c1e-9a77-2b6f0d1e9c30',
  })
  requestId!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Per-field validation failures (400 only)' })
  details?: FieldErrorDto[] | Record<string, unknown>;
}
