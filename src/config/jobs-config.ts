import type { JobsEnvSchema } from './jobs-env.schema.js';

export type ServiceRole = 'all' | 'api' | 'worker';

export interface JobsConfig {
  /** Whether this instance runs job workers (`SERVICE_ROLE` all or worker). */
  runWorkers: boolean;
  concurrency: number;
  pollIntervalMs: number;
  leaseSeconds: number;
  maxAttempts: number;
  retryDelayMs: number;
  maxItems: number;
  maxBytes: number;
  maxActivePerKey: number;
  retentionSeconds: number;
  cleanupIntervalSeconds: number;
}

export interface VideoConfig {
  maxBytes: number;
  maxDurationSeconds: number;
  maxPixels: number;
  sampleFps: number;
  maxFrameSide: number;
  timeoutSeconds: number;
  /** `FFMPEG_PATH`; undefined: the binary of the platform's @ffmpeg-installer package. */
  ffmpegPath?: string;
}

export interface EncodingsConfig {
  /** Seconds after its last use an encoding is deleted; 0: never. */
  retentionSeconds: number;
}

/** The jobs, video and encodings namespaces of `AppConfig`, from the validated environment. */
export function loadJobsConfig(
  env: JobsEnvSchema,
  inferenceWorkers: number,
): { jobs: JobsConfig; video: VideoConfig; encodings: EncodingsConfig } {
  return {
    jobs: {
      runWorkers: env.SERVICE_ROLE !== 'api',
      // One item per inference worker keeps every worker busy without queueing inside the pool.
      concurrency: env.JOB_CONCURRENCY ?? inferenceWorkers,
      pollIntervalMs: env.JOB_POLL_INTERVAL_MS,
      leaseSeconds: env.JOB_LEASE_SECONDS,
      maxAttempts: env.JOB_MAX_ATTEMPTS,
      retryDelayMs: env.JOB_RETRY_DELAY_MS,
      maxItems: env.JOB_MAX_ITEMS,
      maxBytes: env.JOB_MAX_BYTES,
      maxActivePerKey: env.JOB_MAX_ACTIVE_PER_KEY,
      retentionSeconds: env.JOB_RETENTION_SECONDS,
      cleanupIntervalSeconds: env.JOB_RETENTION_CLEANUP_INTERVAL_SECONDS,
    },
    video: {
      maxBytes: env.VIDEO_MAX_BYTES,
      maxDurationSeconds: env.VIDEO_MAX_DURATION_SECONDS,
      maxPixels: env.VIDEO_MAX_PIXELS,
      sampleFps: env.VIDEO_SAMPLE_FPS,
      maxFrameSide: env.VIDEO_MAX_FRAME_SIDE,
      timeoutSeconds: env.VIDEO_TIMEOUT_SECONDS,
      // A bare name is looked up on PATH when spawned, so it is kept as given.
      ffmpegPath: env.FFMPEG_PATH,
    },
    encodings: { retentionSeconds: env.ENCODINGS_RETENTION_SECONDS },
  };
}
