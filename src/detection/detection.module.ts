import { Module } from '@nestjs/common';
import { InferenceModule } from '../infra/inference/inference.module.js';
import { ImageIntakeService } from './image-intake.service.js';

/** Image intake and the `FaceDetector` port (bound to the ONNX adapter by `InferenceModule`). */
@Module({
  imports: [InferenceModule],
  providers: [ImageIntakeService],
  exports: [ImageIntakeService, InferenceModule],
})
export class DetectionModule {}
