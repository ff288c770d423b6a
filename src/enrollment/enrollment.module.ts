import { Module } from '@nestjs/common';
import { CacheCleanupModule } from '../cache-cleanup/cache-cleanup.module.js';
import { EmbeddingModule } from '../embedding/embedding.module.js';
import { MatchingModule } from '../matching/matching.module.js';
import { EnrollmentController } from './enrollment.controller.js';
import { EnrollmentRepository } from './enrollment.repository.js';
import { EnrollmentService } from './enrollment.service.js';

@Module({
  imports: [EmbeddingModule, MatchingModule, CacheCleanupModule],
  controllers: [EnrollmentController],
  providers: [EnrollmentRepository, EnrollmentService],
})
export class EnrollmentModule {}
