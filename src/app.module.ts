import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { CacheCleanupModule } from './cache-cleanup/cache-cleanup.module.js';
import { CommonModule } from './common/common.module.js';
import { RequestIdMiddleware } from './common/middleware/request-id.middleware.js';
import { ServiceRoleMiddleware } from './common/middleware/service-role.middleware.js';
import { UploadsModule } from './common/uploads.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { EncodingsModule } from './encodings/encodings.module.js';
import { EnrollmentModule } from './enrollment/enrollment.module.js';
import { FacesModule } from './faces/faces.module.js';
import { GalleryModule } from './gallery/gallery.module.js';
import { HealthModule } from './health/health.module.js';
import { DatabaseModule } from './infra/database/database.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { LocalAdminModule } from './local-admin/local-admin.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { MatchingModule } from './matching/matching.module.js';
import { SchedulingModule } from './scheduling/scheduling.module.js';
import { StatsModule } from './stats/stats.module.js';
import { UsersModule } from './users/users.module.js';
import { WebConsoleModule } from './web-console/web-console.module.js';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        MetricsModule,
        ScheduleModule.forRoot(),
        SchedulingModule,
        UploadsModule,
        DatabaseModule,
        ApiKeysModule,
        HealthModule,
        GalleryModule,
        FacesModule,
        MatchingModule,
        EnrollmentModule,
        CacheCleanupModule,
        UsersModule,
        StatsModule,
        EncodingsModule,
        JobsModule,
        LocalAdminModule,
        WebConsoleModule,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestIdMiddleware).forRoutes('*');
    // After the request id, so that a worker-only instance's 404 carries one.
    consumer.apply(ServiceRoleMiddleware).forRoutes('*');
  }
}
