import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter.js';
import { AppLogger } from './common/logging/app-logger.js';
import { createValidationPipe } from './common/validation.js';
import type { AppConfig } from './config/app-config.js';
import { buildOpenApiDocument, setupOpenApi } from './openapi/openapi.js';

export interface CreateAppOptions {
  /** Build the module graph without instantiating providers (OpenAPI generation). */
  preview?: boolean;
  logger?: AppLogger | false;
}

/** Creates the configured application; `main.ts` and the OpenAPI script share it. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: options.logger ?? new AppLogger(config.server.logLevel),
    preview: options.preview,
    abortOnError: false,
  });
  return configureApp(app, config);
}

/** Everything the application needs besides its modules; e2e tests apply it to a testing module's app. */
export function configureApp(app: INestApplication, config: AppConfig): INestApplication {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('trust proxy', config.server.trustProxy);
  // Images arrive as multipart uploads; JSON bodies are small.
  express.useBodyParser('json', { limit: '256kb' });
  express.useBodyParser('urlencoded', { limit: '256kb', extended: false });
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(createValidationPipe());
  app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.enableShutdownHooks();
  setupOpenApi(app, buildOpenApiDocument(app));
  return app;
}
