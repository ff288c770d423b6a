import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config.js';
import { PrismaService } from '../infra/database/prisma.service.js';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { ApiKeysBootstrap } from './api-keys.bootstrap.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { CurrentApiKeyController } from './current-api-key.controller.js';
import { ApiKeyAuthGuard } from './guards/api-key-auth.guard.js';
import { ScopesGuard } from './guards/scopes.guard.js';
import { ApiKeyThrottlerGuard } from './throttling/api-key-throttler.guard.js';
import { DatabaseThrottlerStorage } from './throttling/database-throttler.storage.js';
import { MemoryThrottlerStorage } from './throttling/memory-throttler.storage.js';
import { RateLimitsCleanup } from './throttling/rate-limits-cleanup.js';
import { createThrottlerOptions } from './throttling/throttler-options.js';

/**
 * API keys and everything that enforces them. Importing this module protects every route of the
 * application: three global guards run in the order they are listed here (Nest keeps provider
 * order) — authenticate, rate-limit, then check the key's presence and scopes.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, PrismaService],
      // In memory for one instance; in the database when several share one (RATE_LIMIT_STORE).
      useFactory: (config: AppConfig, prisma: PrismaService) =>
        createThrottlerOptions(
          config,
          config.rateLimit.store === 'database'
            ? new DatabaseThrottlerStorage(prisma)
            : new MemoryThrottlerStorage(),
        ),
    }),
  ],
  controllers: [CurrentApiKeyController, ApiKeysController],
  providers: [
    // A plain class (the CLI builds it too), so it is constructed here rather than by metadata.
    {
      provide: ApiKeysRepository,
      inject: [PrismaService],
      useFactory: (prisma: PrismaService) => new ApiKeysRepository(prisma),
    },
    ApiKeysService,
    ApiKeyAuthenticator,
    ApiKeysBootstrap,
    RateLimitsCleanup,
    { provide: APP_GUARD, useClass: ApiKeyAuthGuard },
    { provide: APP_GUARD, useClass: ApiKeyThrottlerGuard },
    { provide: APP_GUARD, useClass: ScopesGuard },
  ],
  exports: [ApiKeysService],
})
export class ApiKeysModule {}
