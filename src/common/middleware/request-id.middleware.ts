import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { MetricsService } from '../../metrics/metrics.service.js';
import { requestContext } from '../logging/request-context.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';
// A client-supplied id is echoed only when it is short and made of safe characters, so it can
// never inject into logs or headers.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives every request an id (the client's, when safe), echoes it and logs one line per request. */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const incoming = req.header(REQUEST_ID_HEADER);
    const requestId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    (req as Request & { id?: string }).id = requestId;
    const started = process.hrtime.bigint();
    requestContext.run({ requestId }, () => {
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // The route template (`/api/v1/users/:id`), not the path: one series per route, no ids in labels.
        const route = (req.route as { path?: string } | undefined)?.path;
        this.metrics.observeHttp(
          req.method,
          route ? `${req.baseUrl}${route}` : 'unmatched',
          res.statusCode,
          ms / 1000,
        );
        // The path is logged without its query string: nothing secret belongs there, but it stays out.
        requestContext.run({ requestId }, () =>
          this.logger.log(`${req.method} ${req.path} ${res.statusCode} ${ms.toFixed(1)}ms`),
        );
      });
      next();
    });
  }
}
