import { Module } from '@nestjs/common';
import { CacheCleanupModule } from '../cache-cleanup/cache-cleanup.module.js';
import { GalleryModule } from '../gallery/gallery.module.js';
import { MatchingModule } from '../matching/matching.module.js';
import { EnrollmentController } from './enrollment.controller.js';
import { EnrollmentRepository } from './enrollment.repository.js';
import { EnrollmentService } from './enrollment.service.js';

@Module({
  imports: [GalleryModule, MatchingModule, CacheCleanupModule],
  controllers: [EnrollmentController],
  providers: [EnrollmentRepository, EnrollmentService],
  exports: [EnrollmentService],
})
export class EnrollmentModule {}
