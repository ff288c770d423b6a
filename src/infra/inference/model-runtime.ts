import { Logger } from '@nestjs/common';
import type { ModelsConfig } from '../../config/app-config.js';
import type { MetricsService } from '../../metrics/metrics.service.js';
import { FaceModels, type ProfileModels } from '../../face/face.ports.js';
import type { ModelProfile, MtcnnDetectorSpec } from '../../face/model-profile.js';
import { OnnxFaceEmbedder } from './embedder/onnx-face-embedder.js';
import { InferencePool } from './inference-pool.js';
import type { WorkerModel } from './inference.protocol.js';
import { largestPnetInput, MTCNN_MAX_BATCH, ONET_SIZE, RNET_SIZE } from './mtcnn/mtcnn-cascade.js';
import { MtcnnFaceDetector } from './mtcnn/mtcnn-face-detector.js';
import { ProfileCatalog, ProfileError, type ResolvedProfile } from './profiles/profile-catalog.js';
import { LANDMARK_INPUT_SIZE, SSD_INPUT_SIZE, SsdFaceDetector } from './ssd/ssd-face-detector.js';

/** Queued tasks allowed per worker before requests are refused with 503 (each request queues ~3). */
const QUEUE_PER_WORKER = 32;
const TASK_TIMEOUT_MS = 30_000;
/**
 * Embedder batch the workers warm up with: ONNX Runtime's first run at a larger size than any
 * before grows its arena and is slow, so the common sizes are paid for at boot.
 */
const EMBEDDER_WARMUP_BATCH = 8;

/**
 * The ONNX Runtime side of the face models: the profile catalog, one inference pool whose workers
 * hold the sessions of every loaded profile, and each profile's detector and embedder adapters.
 * A profile is loaded on first use (at boot for the active one); loading verifies its files,
 * starts or reloads the workers and checks that the embedder's output has the profile's dimension.
 */
export class ModelRuntime extends FaceModels {
  private readonly logger = new Logger('FaceModels');
  private readonly loaded = new Map<string, ProfileModels & { resolved: ResolvedProfile }>();
  private loading: Promise<unknown> = Promise.resolve();
  readonly pool: InferencePool;

  constructor(
    private readonly catalog: ProfileCatalog,
    private readonly config: ModelsConfig,
    workerUrl?: URL,
  ) {
    super();
    this.pool = new InferencePool({
      models: [],
      workers: config.workers,
      threadsPerWorker: config.threadsPerWorker,
      maxQueue: QUEUE_PER_WORKER * config.workers,
      taskTimeoutMs: TASK_TIMEOUT_MS,
      ...(workerUrl && { workerUrl }),
    });
  }

  static async create(config: ModelsConfig): Promise<ModelRuntime> {
    return new ModelRuntime(await ProfileCatalog.load(config.dir, config.profilesFile), config);
  }

  get activeName(): string {
    return this.config.profile ?? this.catalog.defaultName;
  }

  names(): string[] {
    return this.catalog.names();
  }

  profile(name: string): ModelProfile {
    return this.catalog.get(name);
  }

  isReady(): boolean {
    return this.loaded.size > 0 && this.pool.isReady();
  }

  models(name: string): ProfileModels {
    const models = this.loaded.get(name);
    if (!models) throw new Error(`Model profile '${name}' is not loaded`);
    return models;
  }

  findBySpace(spaceKey: string): Promise<string | undefined> {
    for (const [name, models] of this.loaded)
      if (models.resolved.space.key === spaceKey) return Promise.resolve(name);
    return this.catalog.findBySpace(spaceKey);
  }

  load(name: string): Promise<ProfileModels> {
    const run = this.loading.then(() => this.loadNow(name));
    this.loading = run.catch(() => undefined);
    return run;
  }

  /** Exposes the pool's state to Prometheus (read at scrape time). */
  registerMetrics(metrics: MetricsService): void {
    metrics.addGauge('inference_workers', 'Inference worker threads by state', 'state', () => {
      const { workers, ready, busy } = this.pool.stats();
      return { configured: workers, ready, busy };
    });
    metrics.addGauge('inference_queue_depth', 'Inference tasks waiting for a worker', 'queue', () => ({
      tasks: this.pool.stats().queued,
    }));
    metrics.addGauge(
      'inference_worker_restarts',
      'Inference workers restarted after a crash or hang',
      'pool',
      () => ({
        inference: this.pool.stats().restarts,
      }),
    );
  }

  async close(drainMs?: number): Promise<void> {
    await this.pool.close(drainMs);
  }

  /** Nest calls this after the HTTP server has stopped, so in-flight requests keep their workers. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async loadNow(name: string): Promise<ProfileModels> {
    const existing = this.loaded.get(name);
    if (existing) return existing;
    const resolved = await this.catalog.resolve(name);
    const { profile, paths, space } = resolved;
    try {
      await this.pool.addModels(this.workerModels(profile, paths));
      await this.pool.start();
    } catch (error) {
      throw new ProfileError(`Model profile '${name}' cannot be loaded: ${(error as Error).message}`);
    }
    const detector = this.detector(profile, paths);
    const embedder = new OnnxFaceEmbedder(this.pool, profile, paths.embedder!, space);
    await checkDimension(embedder, profile);
    const models = { profile, detector, embedder, resolved };
    this.loaded.set(name, models);
    this.logger.log(
      `Model profile '${name}' loaded: ${profile.description}; vectors ${space.key} (${space.dimension}-D). ` +
        `Licence: ${profile.licence.summary}`,
    );
    return models;
  }

  private detector(profile: ModelProfile, paths: Record<string, string>) {
    const { minScore, minFaceSize } = this.config;
    const d = profile.detector;
    if (d.family === 'mtcnn') {
      const [t1, t2, t3] = d.thresholds;
      const spec = { ...d, thresholds: [t1, t2, minScore ?? t3] as [number, number, number] };
      if (minFaceSize !== undefined) spec.minFaceSize = minFaceSize;
      const models = { pnet: paths.pnet!, rnet: paths.rnet!, onet: paths.onet! };
      return new MtcnnFaceDetector(this.pool, spec, models, `mtcnn:${profile.name}`);
    }
    const spec = { ...d, minScore: minScore ?? d.minScore, minFaceSize: minFaceSize ?? d.minFaceSize };
    const ssdPaths = { detector: paths.detector!, landmarks: paths.landmarks! };
    return new SsdFaceDetector(this.pool, spec, ssdPaths, `ssd:${profile.name}`);
  }

  private workerModels(profile: ModelProfile, paths: Record<string, string>): WorkerModel[] {
    const model = (path: string, input: string, dims: number[]): WorkerModel => ({
      name: path,
      path,
      warmup: { input, dims },
    });
    const d = profile.detector;
    const detector =
      d.family === 'mtcnn'
        ? [
            model(paths.pnet!, 'input', [1, pnetSide(d, this.config), pnetSide(d, this.config), 3]),
            model(paths.rnet!, 'input', [MTCNN_MAX_BATCH, RNET_SIZE, RNET_SIZE, 3]),
            model(paths.onet!, 'input', [MTCNN_MAX_BATCH, ONET_SIZE, ONET_SIZE, 3]),
          ]
        : [
            model(paths.detector!, 'input', [1, SSD_INPUT_SIZE, SSD_INPUT_SIZE, 3]),
            model(paths.landmarks!, 'input', [1, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE, 3]),
          ];
    const { size } = profile.chip;
    const { input, fixedBatch } = profile.embedder;
    const batch = fixedBatch ?? EMBEDDER_WARMUP_BATCH;
    const dims = input.layout === 'NHWC' ? [batch, size, size, 3] : [batch, 3, size, size];
    return [...detector, model(paths.embedder!, input.name, dims)];
  }
}

/** The largest P-Net input the profile (with any DETECTION_MIN_FACE_SIZE override) can run. */
function pnetSide(spec: MtcnnDetectorSpec, config: ModelsConfig): number {
  return largestPnetInput(spec.maxImageSide, config.minFaceSize ?? spec.minFaceSize);
}

/** A profile whose dimension, input or output does not fit its model stops the boot here. */
async function checkDimension(embedder: OnnxFaceEmbedder, profile: ModelProfile): Promise<void> {
  const { size } = profile.chip;
  const chip = { data: new Uint8Array(size * size * 3), width: size, height: size };
  try {
    await embedder.embedChips([chip]);
  } catch (error) {
    throw new ProfileError(
      `Model profile '${profile.name}' cannot be served: ${(error as Error).message}. ` +
        'Fix the profile (embedder.input, embedder.output, embedder.dimension, chip.size) or choose another FACE_PROFILE.',
    );
  }
}
