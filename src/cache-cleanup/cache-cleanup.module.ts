import { Module } from '@nestjs/common';
import { CacheCleanupService } from './cache-cleanup.service.js';
import { FaceCacheRepository } from './face-cache.repository.js';
import { FaceCacheService } from './face-cache.service.js';

@Module({
  providers: [FaceCacheRepository, FaceCacheService, CacheCleanupService],
  exports: [FaceCacheService, CacheCleanupService],
})
export class CacheCleanupModule {}
