import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter.js';
import { AppLogger } from './common/logging/app-logger.js';
import { RejectControlCharactersPipe } from './common/pipes/control-characters.pipe.js';
import { createValidationPipe } from './common/validation.js';
import type { GracefulShutdown } from './common/shutdown/graceful-shutdown.js';
import type { AppConfig } from './config/app-config.js';
import { buildOpenApiDocument, setupOpenApi } from './openapi/openapi.js';

export interface CreateAppOptions {
  /** Build the module graph without instantiating providers (OpenAPI generation). */
  preview?: boolean;
  logger?: AppLogger | false;
  /** Counts requests so that a shutdown can drain them (main.ts owns the signals). */
  shutdown?: GracefulShutdown;
}

/** Creates the configured application; `main.ts` and the OpenAPI script share it. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: options.logger ?? new AppLogger(config.server.logLevel, config.server.logFormat),
    preview: options.preview,
    abortOnError: false,
  });
  return configureApp(app, config, options.shutdown);
}

/** Everything the application needs besides its modules; e2e tests apply it to a testing module's app. */
export function configureApp(
  app: INestApplication,
  config: AppConfig,
  shutdown?: GracefulShutdown,
): INestApplication {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('trust proxy', config.server.trustProxy);
  // Images arrive as multipart uploads; JSON bodies are small.
  express.useBodyParser('json', { limit: '256kb' });
  express.useBodyParser('urlencoded', { limit: '256kb', extended: false });
  app.useGlobalFilters(new AllExceptionsFilter({ maxUploadBytes: config.images.maxBytes }));
  app.useGlobalPipes(new RejectControlCharactersPipe(), createValidationPipe());
  app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  if (shutdown) app.use(shutdown.middleware);
  const origins = config.server.corsOrigins;
  if (origins) {
    app.enableCors({
      origin: origins === '*' ? true : origins,
      allowedHeaders: ['Content-Type', 'X-Api-Key', 'Authorization', 'X-Request-Id'],
      exposedHeaders: [
        'X-Request-Id',
        'Retry-After',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
      ],
      maxAge: 600,
    });
  }
  setupOpenApi(app, buildOpenApiDocument(app));
  return app;
}
