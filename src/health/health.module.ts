import { Module } from '@nestjs/common';
import { InferenceModule } from '../infra/inference/inference.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';
import { RootController } from './root.controller.js';

@Module({
  imports: [InferenceModule],
  controllers: [HealthController, RootController],
  providers: [HealthService],
})
export class HealthModule {}
