import { Global, Module } from '@nestjs/common';
import { DatabaseService } from './database.service.js';
import { PrismaService } from './prisma.service.js';

/**
 * Global: every repository injects `PrismaService` without importing this module. The client is
 * the one `DatabaseService` connects once the database is started and migrated.
 */
@Global()
@Module({
  providers: [
    DatabaseService,
    {
      provide: PrismaService,
      useFactory: (database: DatabaseService) => database.prisma,
      inject: [DatabaseService],
    },
  ],
  exports: [DatabaseService, PrismaService],
})
export class DatabaseModule {}
