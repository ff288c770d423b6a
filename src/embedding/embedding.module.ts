import { Module } from '@nestjs/common';
import { DetectionModule } from '../detection/detection.module.js';
import { FaceAnalysisService } from './face-analysis.service.js';

/** The whole face pipeline as one service; enrollment and matching import this module. */
@Module({
  imports: [DetectionModule],
  providers: [FaceAnalysisService],
  exports: [FaceAnalysisService, DetectionModule],
})
export class EmbeddingModule {}
