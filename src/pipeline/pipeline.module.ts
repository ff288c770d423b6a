import { Module } from '@nestjs/common';
import { InferenceModule } from '../infra/inference/inference.module.js';
import { FaceAnalysisService } from './face-analysis.service.js';
import { ImageIntakeService } from './image-intake.service.js';

/**
 * The face pipeline: image intake (decode), then detection, quality, embedding and crops through
 * the `FaceModels` port, bound to the ONNX adapters by `InferenceModule`.
 */
@Module({
  imports: [InferenceModule],
  providers: [ImageIntakeService, FaceAnalysisService],
  exports: [ImageIntakeService, FaceAnalysisService, InferenceModule],
})
export class PipelineModule {}
