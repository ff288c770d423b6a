import 'reflect-metadata';
import path from 'node:path';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { createFacePipeline, type FacePipeline } from '../../src/embedding/create-face-pipeline.js';
import { readManifestSync } from '../../src/infra/inference/model-files.js';
import { effectiveThreshold } from '../../src/matching/match-policy.js';
import { info, routeLogsToStderr } from './report.js';

/**
 * The configuration benchmarks run with: the service's own defaults and environment, except that
 * the inference pool defaults to one worker with two ORT threads (the machine has two cores that
 * other work shares). INFERENCE_WORKERS / INFERENCE_THREADS in the environment still win.
 */
export function benchConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig(process.env, {
    INFERENCE_WORKERS: process.env.INFERENCE_WORKERS ?? '1',
    INFERENCE_THREADS: process.env.INFERENCE_THREADS ?? '2',
    ...overrides,
  });
}

export async function startPipeline(config: AppConfig): Promise<FacePipeline> {
  routeLogsToStderr();
  const started = Date.now();
  const pipeline = await createFacePipeline(config);
  info(
    `pipeline ready in ${Date.now() - started} ms: ${config.models.workers} worker(s) × ` +
      `${config.models.threadsPerWorker} thread(s), detector minScore ${config.models.minScore}, ` +
      `minFaceSize ${config.models.minFaceSize}`,
  );
  return pipeline;
}

/**
 * The 1:N rule a service started with this environment applies (MatchPolicy): MATCH_THRESHOLD,
 * else the embedder's calibrated threshold from models/manifest.json, else the built-in default.
 */
export function serviceRule(config: AppConfig = benchConfig()): { threshold: number; margin: number } {
  const manifest = readManifestSync(config.models.dir);
  const entry = manifest?.models.find((m) => m.file === path.basename(config.models.embedderPath));
  return {
    threshold: effectiveThreshold(config, entry?.calibratedThreshold),
    margin: config.matching.margin,
  };
}
