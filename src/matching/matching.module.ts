import { Module } from '@nestjs/common';
import { CacheCleanupModule } from '../cache-cleanup/cache-cleanup.module.js';
import { GalleryModule } from '../gallery/gallery.module.js';
import { MatchPolicy } from './match-policy.js';
import { MatchingRepository } from './matching.repository.js';
import { MatchingService } from './matching.service.js';
import { RecognitionController } from './recognition.controller.js';
import { StatsCounters } from './stats-counters.repository.js';

@Module({
  imports: [GalleryModule, CacheCleanupModule],
  controllers: [RecognitionController],
  providers: [MatchingRepository, MatchingService, MatchPolicy, StatsCounters],
  exports: [MatchingRepository, MatchPolicy, StatsCounters, MatchingService],
})
export class MatchingModule {}
