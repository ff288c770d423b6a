import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.js';
import { DomainError } from '../domain-error.js';
import type { ErrorEnvelope } from '../dto/error-response.dto.js';

interface Mapped {
  status: number;
  code: number;
  message: string;
  details?: unknown;
}

const GENERIC_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/**
 * The one place errors become responses: every failure leaves as the error envelope
 * `{ status, error_code, message, requestId }`. Known errors keep their status and message;
 * anything unexpected is logged with its stack and answered with a bare 500.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  /** `maxUploadBytes` names the limit in Multer's otherwise bare "File too large". */
  constructor(private readonly limits: { maxUploadBytes?: number } = {}) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    const requestId = req.id ?? randomUUID();
    const mapped = this.map(exception);

    if (mapped.status >= 500) {
      if (exception instanceof DomainError) {
        // A deliberate refusal (busy, not ready): expected under load, so one line, no stack.
        this.logger.warn(`${req.method} ${req.path} refused with ${mapped.status}: ${mapped.message}`);
      } else {
        const stack = exception instanceof Error ? exception.stack : String(exception);
        this.logger.error(`${req.method} ${req.path} failed: ${mapped.message}`, stack);
      }
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    const body: ErrorEnvelope = {
      status: 'error',
      error_code: mapped.code,
      message: mapped.message,
      requestId,
    };
    if (mapped.details !== undefined) body.details = mapped.details as ErrorEnvelope['details'];
    if (exception instanceof DomainError && exception.headers) {
      for (const [name, value] of Object.entries(exception.headers)) res.setHeader(name, value);
    }
    res.status(mapped.status).json(body);
  }

  private map(exception: unknown): Mapped {
    if (exception instanceof DomainError) {
      return {
        status: exception.httpStatus,
        code: exception.errorCode,
        message: exception.message,
        details: exception.details,
      };
    }
    if (exception instanceof HttpException) return this.fromHttpException(exception);
    if (exception instanceof Prisma.PrismaClientKnownRequestError) return this.fromPrisma(exception);
    const bodyParserStatus = this.bodyParserStatus(exception);
    if (bodyParserStatus) {
      return {
        status: bodyParserStatus,
        code: bodyParserStatus,
        message: (exception as Error).message || GENERIC_MESSAGES[bodyParserStatus]!,
      };
    }
    return { status: 500, code: 500, message: GENERIC_MESSAGES[500]! };
  }

  private fromHttpException(exception: HttpException): Mapped {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let message = exception.message;
    let details: unknown;
    if (typeof response === 'object' && response !== null) {
      const r = response as { message?: unknown; details?: unknown };
      if (typeof r.message === 'string') message = r.message;
      else if (Array.isArray(r.message)) message = r.message.join('; ');
      details = r.details;
    }
    if (status >= 500) message = GENERIC_MESSAGES[status] ?? GENERIC_MESSAGES[500]!;
    if (status === 413 && message === 'File too large' && this.limits.maxUploadBytes) {
      message = `The upload is larger than the limit of ${this.limits.maxUploadBytes} bytes (MAX_IMAGE_BYTES)`;
    }
    return { status, code: status, message, details };
  }

  /** Unique violations become 409 and missing rows 404; other database errors stay internal. */
  private fromPrisma(error: Prisma.PrismaClientKnownRequestError): Mapped {
    if (error.code === 'P2002')
      return { status: 409, code: 409, message: 'A record with these values already exists' };
    if (error.code === 'P2025') return { status: 404, code: 404, message: 'Record not found' };
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: 500, message: GENERIC_MESSAGES[500]! };
  }

  /** Express' body parser throws plain errors with a 4xx `status` (malformed JSON, body too large). */
  private bodyParserStatus(exception: unknown): number | undefined {
    if (typeof exception !== 'object' || exception === null) return undefined;
    const e = exception as { status?: unknown; type?: unknown };
    if (typeof e.type !== 'string' || !e.type.startsWith('entity.')) return undefined;
    return typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : undefined;
  }
}
