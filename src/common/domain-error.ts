import type { ConflictDetailsDto, FieldErrorDto } from './dto/error-response.dto.js';

/**
 * Base class of every error the service raises on purpose. The global exception filter turns it
 * into the error envelope with `httpStatus` and the stable `errorCode`; anything that is not a
 * DomainError (or a Nest HttpException) is treated as a bug and answered with a bare 500.
 */
export class DomainError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errorCode: number,
    message: string,
    readonly details?: unknown,
    /** Response headers the error needs (Retry-After on a 503). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super(404, 404, message);
  }
}

/** A 409; `details` names the user a face is already enrolled as (and nothing else, per the API). */
export class ConflictError extends DomainError {
  constructor(message: string, details?: ConflictDetailsDto) {
    super(409, 409, message, details);
  }
}

/** A 400; `details`, when given, lists the fields that failed validation. */
export class BadRequestError extends DomainError {
  constructor(message: string, details?: FieldErrorDto[]) {
    super(400, 400, message, details);
  }
}

export class ServiceUnavailableError extends DomainError {
  constructor(message: string) {
    super(503, 503, message);
  }
}
