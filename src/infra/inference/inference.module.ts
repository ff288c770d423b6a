import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { FaceModels } from '../../face/face.ports.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { ModelRuntime } from './model-runtime.js';

/**
 * The ONNX Runtime adapter behind the `FaceModels` port. Building it reads and validates the
 * model profiles (a bad profile stops the boot); the gallery loads the profiles it serves while
 * the application boots, so a missing or corrupt model fails the boot, not the first request.
 */
@Module({
  providers: [
    {
      provide: ModelRuntime,
      useFactory: async (config: AppConfig, metrics?: MetricsService) => {
        const runtime = await ModelRuntime.create(config.models);
        if (metrics) runtime.registerMetrics(metrics);
        return runtime;
      },
      inject: [AppConfig, { token: MetricsService, optional: true }],
    },
    { provide: FaceModels, useExisting: ModelRuntime },
  ],
  exports: [FaceModels, ModelRuntime],
})
export class InferenceModule {}
