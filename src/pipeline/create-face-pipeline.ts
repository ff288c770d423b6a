import type { AppConfig } from '../config/app-config.js';
import type { ProfileModels } from '../face/face.ports.js';
import { ModelRuntime } from '../infra/inference/model-runtime.js';
import { FaceAnalysisService } from './face-analysis.service.js';
import { ImageIntakeService } from './image-intake.service.js';

export interface FacePipeline {
  analysis: FaceAnalysisService;
  intake: ImageIntakeService;
  runtime: ModelRuntime;
  /** The loaded profile: `profile`, else FACE_PROFILE, else the manifest's default. */
  models: ProfileModels;
  close(): Promise<void>;
}

/**
 * The production face pipeline wired by hand, for scripts run outside Nest's injector
 * (benchmarks under tsx, whose esbuild transform emits no decorator metadata, so constructor
 * injection cannot resolve). Same classes as `PipelineModule`; the profile's workers are started
 * and warmed before this resolves. Entry scripts must `import 'reflect-metadata'` before `loadConfig`.
 */
export async function createFacePipeline(config: AppConfig, profile?: string): Promise<FacePipeline> {
  const runtime = await ModelRuntime.create(config.models);
  try {
    const models = await runtime.load(profile ?? runtime.activeName);
    const intake = new ImageIntakeService(config);
    const analysis = new FaceAnalysisService(intake, config);
    return { analysis, intake, runtime, models, close: () => runtime.close() };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
