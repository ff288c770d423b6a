import { Module } from '@nestjs/common';
import { InferenceModule } from '../infra/inference/inference.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

@Module({
  imports: [InferenceModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
