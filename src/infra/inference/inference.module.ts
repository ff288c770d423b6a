import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { FaceDetector, FaceEmbedder } from '../../face/face.ports.js';
import { InferencePool, type InferencePoolOptions } from './inference-pool.js';
import { readManifestSync } from './model-files.js';
import { LANDMARK_INPUT_SIZE, OnnxFaceDetector, SSD_INPUT_SIZE } from './onnx-face-detector.js';
import { OnnxFaceEmbedder } from './onnx-face-embedder.js';

/** Queued tasks allowed per worker before requests are refused with 503 (each request queues ~3). */
const QUEUE_PER_WORKER = 32;
const TASK_TIMEOUT_MS = 30_000;

export function inferencePoolOptions(config: AppConfig): InferencePoolOptions {
  const { models } = config;
  return {
    models: [
      {
        name: 'detector',
        path: models.detectorPath,
        warmup: { input: 'input', dims: [1, SSD_INPUT_SIZE, SSD_INPUT_SIZE, 3] },
      },
      {
        name: 'landmarks',
        path: models.landmarksPath,
        warmup: { input: 'input', dims: [1, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE, 3] },
      },
      { name: 'embedder', path: models.embedderPath, warmup: { input: 'input', dims: [1, 150, 150, 3] } },
    ],
    workers: models.workers,
    threadsPerWorker: models.threadsPerWorker,
    maxQueue: QUEUE_PER_WORKER * models.workers,
    taskTimeoutMs: TASK_TIMEOUT_MS,
    manifest: readManifestSync(models.dir),
  };
}

/**
 * The ONNX Runtime adapter behind the face ports. The pool loads and warms every model while the
 * application boots (`onModuleInit`), so a missing or corrupt model stops the boot with a clear
 * message instead of failing the first request.
 */
@Module({
  providers: [
    {
      provide: InferencePool,
      useFactory: (config: AppConfig) => new InferencePool(inferencePoolOptions(config)),
      inject: [AppConfig],
    },
    { provide: FaceDetector, useClass: OnnxFaceDetector },
    { provide: FaceEmbedder, useClass: OnnxFaceEmbedder },
  ],
  exports: [InferencePool, FaceDetector, FaceEmbedder],
})
export class InferenceModule {}
