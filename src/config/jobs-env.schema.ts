import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';

const MiB = 1024 * 1024;

/**
 * The environment variables of asynchronous jobs, video analysis and the encodings store, and the
 * instance's role. `EnvSchema` extends this class, so they are validated with the rest at boot.
 */
export class JobsEnvSchema {
  /**
   * What this instance does: `all` (API and job workers, the default), `api` (the API only: jobs
   * are processed by other instances), `worker` (job workers only; HTTP serves /health and
   * /metrics, nothing else).
   */
  @IsOptional()
  @IsIn(['all', 'api', 'worker'])
  SERVICE_ROLE: 'all' | 'api' | 'worker' = 'all';

  /** Job items processed at once by this instance; unset: one per inference worker. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  JOB_CONCURRENCY?: number;

  /** How often an idle worker looks for queued items (jobs created on this instance start at once). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(60_000)
  JOB_POLL_INTERVAL_MS: number = 1000;

  /** How long a claimed item stays with its worker without a heartbeat; then another worker takes it. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(3600)
  JOB_LEASE_SECONDS: number = 60;

  /** Attempts per item before it fails (transient errors and lost workers are retried). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  JOB_MAX_ATTEMPTS: number = 3;

  /** First retry delay; each further attempt waits twice as long (with jitter), at most 10 minutes. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  JOB_RETRY_DELAY_MS: number = 2000;

  /** Photos per batch job. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  JOB_MAX_ITEMS: number = 500;

  /** All uploads of one job together, in bytes (each photo is also held to MAX_IMAGE_BYTES). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  JOB_MAX_BYTES: number = 512 * MiB;

  /** Jobs a key may have queued or running at once; more are refused with 429. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  JOB_MAX_ACTIVE_PER_KEY: number = 10;

  /** How long a finished job (its results and errors) is kept. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(60)
  JOB_RETENTION_SECONDS: number = 7 * 24 * 3600;

  /** How often finished jobs past their retention are deleted (once per interval across instances). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  JOB_RETENTION_CLEANUP_INTERVAL_SECONDS: number = 600;

  /** Largest accepted video upload, in bytes. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  VIDEO_MAX_BYTES: number = 256 * MiB;

  /** Longest accepted video (from the container's header; decoding also stops there). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  VIDEO_MAX_DURATION_SECONDS: number = 600;

  /** Largest accepted frame (width × height, from the header): 4K UHD by default. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10_000)
  VIDEO_MAX_PIXELS: number = 3840 * 2160;

  /** Frames analysed per second of video, unless a job asks for another rate (at most 30). */
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0.05)
  @Max(30)
  VIDEO_SAMPLE_FPS: number = 2;

  /** Sampled frames are scaled down (never up) so that their longer side is at most this. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(160)
  @Max(4096)
  VIDEO_MAX_FRAME_SIDE: number = 1280;

  /** A video still being analysed after this long is stopped and fails. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  VIDEO_TIMEOUT_SECONDS: number = 3600;

  /** An ffmpeg executable to use instead of the one from the @ffmpeg-installer npm package. */
  @IsOptional()
  @IsString()
  FFMPEG_PATH?: string;

  /** How long stored encodings are kept after their last use; 0 keeps them until deleted. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  ENCODINGS_RETENTION_SECONDS: number = 30 * 24 * 3600;
}
