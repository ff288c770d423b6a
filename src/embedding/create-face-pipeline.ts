import type { AppConfig } from '../config/app-config.js';
import { ImageIntakeService } from '../detection/image-intake.service.js';
import { InferencePool } from '../infra/inference/inference-pool.js';
import { inferencePoolOptions } from '../infra/inference/inference.module.js';
import { OnnxFaceDetector } from '../infra/inference/onnx-face-detector.js';
import { OnnxFaceEmbedder } from '../infra/inference/onnx-face-embedder.js';
import { FaceAnalysisService } from './face-analysis.service.js';

export interface FacePipeline {
  analysis: FaceAnalysisService;
  intake: ImageIntakeService;
  detector: OnnxFaceDetector;
  embedder: OnnxFaceEmbedder;
  pool: InferencePool;
  close(): Promise<void>;
}

/**
 * The production face pipeline wired by hand, for scripts run outside Nest's injector
 * (benchmarks under tsx, whose esbuild transform emits no decorator metadata, so constructor
 * injection cannot resolve). Same classes and options as `EmbeddingModule`; the pool's workers
 * are started and warmed before this resolves. Entry scripts must `import 'reflect-metadata'`
 * before `loadConfig`.
 */
export async function createFacePipeline(config: AppConfig): Promise<FacePipeline> {
  const pool = new InferencePool(inferencePoolOptions(config));
  await pool.start();
  const intake = new ImageIntakeService(config);
  const detector = new OnnxFaceDetector(pool, config);
  const embedder = new OnnxFaceEmbedder(pool);
  const analysis = new FaceAnalysisService(intake, detector, embedder);
  return { analysis, intake, detector, embedder, pool, close: () => pool.close() };
}
