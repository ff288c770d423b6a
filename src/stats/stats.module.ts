import { Module } from '@nestjs/common';
import { CacheCleanupModule } from '../cache-cleanup/cache-cleanup.module.js';
import { GalleryModule } from '../gallery/gallery.module.js';
import { MatchingModule } from '../matching/matching.module.js';
import { StatsController } from './stats.controller.js';
import { StatsRepository } from './stats.repository.js';
import { StatsService } from './stats.service.js';

@Module({
  imports: [GalleryModule, MatchingModule, CacheCleanupModule],
  controllers: [StatsController],
  providers: [StatsRepository, StatsService],
})
export class StatsModule {}
