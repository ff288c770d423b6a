import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../../config/app-config.js';
import { NotFoundError } from '../domain-error.js';

/** What a worker-only instance still serves: probes and metrics. */
const WORKER_PATHS = /^\/(health(\/|$)|metrics(\/|$))/;

/**
 * SERVICE_ROLE=worker: the instance processes jobs and answers health probes and Prometheus, and
 * nothing else — its API routes answer 404, so a load balancer sending it traffic by mistake
 * gets a clear refusal instead of a second API. Other roles pass everything through.
 */
@Injectable()
export class ServiceRoleMiddleware implements NestMiddleware {
  constructor(private readonly config: AppConfig) {}

  use(req: Request, _res: Response, next: NextFunction): void {
    if (this.config.server.role !== 'worker') return next();
    // originalUrl, not path: a middleware mounted for every route sees `path` relative to its mount.
    const pathname = req.originalUrl.split('?')[0]!;
    if (WORKER_PATHS.test(pathname)) return next();
    next(
      new NotFoundError(
        `This instance only processes jobs (SERVICE_ROLE=worker): ${req.method} ${pathname} is served by the API instances`,
      ),
    );
  }
}
