import 'reflect-metadata';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import type { ProfileModels } from '../../src/face/face.ports.js';
import type { ModelProfile } from '../../src/face/model-profile.js';
import { ProfileCatalog } from '../../src/infra/inference/profiles/profile-catalog.js';
import { effectiveRule } from '../../src/gallery/match-rule.js';
import { createFacePipeline, type FacePipeline } from '../../src/pipeline/create-face-pipeline.js';
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

/** The installed profiles (models/manifest.json plus any profiles.json), without loading a model. */
export function profileCatalog(config: AppConfig): Promise<ProfileCatalog> {
  return ProfileCatalog.load(config.models.dir, config.models.profilesFile);
}

/**
 * The profiles a `--profile` option names: a comma-separated list, or `all`. Without the option:
 * FACE_PROFILE when the environment sets it (what the service would run), else the manifest's
 * default profile — or every installed profile where `all` is the script's default.
 */
export async function selectProfiles(
  config: AppConfig,
  option: string | undefined,
  fallback: 'default' | 'all' = 'default',
): Promise<ModelProfile[]> {
  const catalog = await profileCatalog(config);
  const wanted = option ?? (fallback === 'all' ? 'all' : (config.models.profile ?? catalog.defaultName));
  const names = wanted === 'all' ? catalog.names() : wanted.split(',').map((s) => s.trim());
  // catalog.get throws with the list of installed profiles when a name is unknown.
  return [...new Set(names)].map((name) => catalog.get(name));
}

/** Exactly one profile (scripts that start the service with it). */
export async function selectProfile(config: AppConfig, option: string | undefined): Promise<ModelProfile> {
  const [profile, ...rest] = await selectProfiles(config, option);
  if (!profile || rest.length > 0) throw new Error('--profile takes one profile name here');
  return profile;
}

/**
 * The production pipeline (createFacePipeline) with `profiles[0]` loaded; further profiles are
 * loaded into the same worker pool with `pipeline.runtime.load(name)` (see `loadProfile`).
 */
export async function startPipeline(config: AppConfig, profile?: string): Promise<FacePipeline> {
  routeLogsToStderr();
  const started = Date.now();
  const pipeline = await createFacePipeline(config, profile);
  info(
    `pipeline ready in ${Date.now() - started} ms: ${config.models.workers} worker(s) × ` +
      `${config.models.threadsPerWorker} thread(s); ${profileLine(pipeline.models, config)}`,
  );
  return pipeline;
}

/** Loads (once) and returns a profile's models in the pipeline's worker pool. */
export async function loadProfile(
  pipeline: FacePipeline,
  name: string,
  config: AppConfig,
): Promise<ProfileModels> {
  if (pipeline.models.profile.name === name) return pipeline.models;
  const started = Date.now();
  const models = await pipeline.runtime.load(name);
  info(`profile '${name}' loaded in ${Date.now() - started} ms; ${profileLine(models, config)}`);
  return models;
}

/**
 * The detector settings a profile runs with under `config`: the profile's own, with the
 * DETECTION_MIN_SCORE / DETECTION_MIN_FACE_SIZE overrides the runtime applies (for MTCNN the
 * score is the O-Net threshold; P-Net and R-Net keep theirs).
 */
export function detectorSettings(profile: ModelProfile, config: AppConfig) {
  const d = profile.detector;
  const minFaceSize = config.models.minFaceSize ?? d.minFaceSize;
  if (d.family === 'mtcnn') {
    const [t1, t2, t3] = d.thresholds;
    return {
      family: d.family,
      minScore: config.models.minScore ?? t3,
      thresholds: [t1, t2, config.models.minScore ?? t3],
      minFaceSize,
      maxImageSide: d.maxImageSide,
    };
  }
  return { family: d.family, minScore: config.models.minScore ?? d.minScore, minFaceSize };
}

/** What a report says about the profile it measured. */
export function describeProfile(models: ProfileModels, config: AppConfig) {
  const { profile, embedder } = models;
  return {
    name: profile.name,
    space: embedder.space.key,
    dimension: embedder.space.dimension,
    detector: detectorSettings(profile, config),
    detectorModel: models.detector.modelId,
    chip: { size: profile.chip.size, alignment: profile.chip.alignment },
    flip: profile.flip,
    matching: profile.matching,
    licence: profile.licence.summary,
  };
}

function profileLine(models: ProfileModels, config: AppConfig): string {
  const d = detectorSettings(models.profile, config);
  return (
    `profile '${models.profile.name}' (${models.profile.description}): vectors ${models.embedder.space.key} ` +
    `(${models.embedder.space.dimension}-D), ${d.family} detector minScore ${d.minScore}, ` +
    `minFaceSize ${d.minFaceSize}, flip ${models.profile.flip}`
  );
}

/**
 * The 1:N rule a service started with this environment applies to `profile` (MatchPolicy):
 * MATCH_THRESHOLD / MATCH_MARGIN where set, else the profile's calibrated values. Benchmarks that
 * talk to a running service read the profile's values from `GET /api/v1/models` instead.
 */
export function serviceRule(
  matching: { threshold: number; margin: number },
  config: AppConfig = loadConfig(process.env),
): { threshold: number; margin: number } {
  return effectiveRule(config, matching);
}
