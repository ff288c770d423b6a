import { Transform, Type } from 'class-transformer';
import { availableParallelism } from 'node:os';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { JobsEnvSchema } from './jobs-env.schema.js';

const LOG_LEVEL_ALIASES: Record<string, string> = { info: 'log', warning: 'warn', trace: 'verbose' };

/**
 * Every environment variable the service reads, with its validation. `loadConfig` turns a
 * validated instance into the typed namespaces of `AppConfig`; nothing else reads `process.env`.
 * The jobs, video and encodings variables are declared in `JobsEnvSchema`.
 */
export class EnvSchema extends JobsEnvSchema {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsOptional()
  @IsString()
  HOST: string = '0.0.0.0';

  /**
   * Browser origins allowed to call the API from another site (comma-separated, e.g.
   * `https://app.example.com`); unset: no cross-origin access. `*` allows any origin.
   */
  @IsOptional()
  @Matches(/^(\*|https?:\/\/[^\s,]+(,\s*https?:\/\/[^\s,]+)*)$/, {
    message: 'CORS_ORIGINS must be * or a comma-separated list of http(s):// origins',
  })
  CORS_ORIGINS?: string;

  @IsOptional()
  @Matches(/^(true|false|\d{1,2}|loopback|linklocal|uniquelocal)$/, {
    message: 'TRUST_PROXY must be true, false, a hop count, or loopback/linklocal/uniquelocal',
  })
  TRUST_PROXY: string = 'false';

  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: string = 'development';

  /** Nest's level names, and the usual aliases (info = log, warning = warn, trace = verbose). */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? (LOG_LEVEL_ALIASES[value.toLowerCase()] ?? value.toLowerCase()) : value,
  )
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn (warning), log (info), debug, verbose (trace)',
  })
  LOG_LEVEL: string = 'log';

  /** `text` for people; `json` writes one JSON object per line (with the request id) for log collectors. */
  @IsOptional()
  @IsIn(['text', 'json'])
  LOG_FORMAT: 'text' | 'json' = 'text';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  SHUTDOWN_TIMEOUT_MS: number = 10_000;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  DATA_DIR: string = './data';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE: number = 10;

  /**
   * HNSW search breadth (`hnsw.ef_search`). pgvector's default, 40, found the true nearest face
   * for 96 % of probes at 10k faces and 61.5 % at 100k; 100 for 99.5 % and 79 % (bench:search).
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  SEARCH_EF: number = 100;

  @IsOptional()
  @IsString()
  MODELS_DIR: string = './models';

  /** The model profile to run (models/manifest.json or profiles.json); unset: the manifest's default. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'FACE_PROFILE must be a profile name' })
  FACE_PROFILE?: string;

  /** A JSON file of custom profiles; unset: `<MODELS_DIR>/profiles.json` when it exists. */
  @IsOptional()
  @IsString()
  PROFILES_FILE?: string;

  /**
   * One single-threaded worker per core (up to 4) by default: on 2 cores, 2 workers × 1 thread
   * served 33 % more requests per second than 1 worker × 2 threads at the same single-request
   * latency (bench:load, docs/benchmarks.md). Each worker holds its own copy of the models.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(32)
  INFERENCE_WORKERS: number = Math.min(4, availableParallelism());

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  INFERENCE_THREADS: number = 1;

  /** Overrides the profile's final detector threshold (SSD score, MTCNN O-Net probability). */
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(1)
  DETECTION_MIN_SCORE?: number;

  /** Overrides the profile's smallest face, in pixels. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(8)
  DETECTION_MIN_FACE_SIZE?: number;

  /**
   * Longer side, in pixels, of the JPEG face crop stored with every enrolled and cached face (the
   * face with as much context again around it), so that the gallery can be re-embedded with
   * another profile; 0 stores none (and re-embedding then needs the original photos).
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1024)
  FACE_CROP_SIZE: number = 224;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(30)
  @Max(100)
  FACE_CROP_QUALITY: number = 90;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  MAX_IMAGE_BYTES: number = 10 * 1024 * 1024;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10_000)
  MAX_IMAGE_PIXELS: number = 40_000_000;

  /**
   * Pixels of all uploads being decoded and analysed at once (width × height summed); further
   * uploads wait for room, and after DECODE_QUEUE_TIMEOUT_MS are refused with 503 + Retry-After.
   * Default: MAX_IMAGE_PIXELS (one of the largest images, ~120 MB of RGB, or several ordinary photos).
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10_000)
  DECODE_PIXEL_BUDGET?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  DECODE_QUEUE_TIMEOUT_MS: number = 10_000;

  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(2)
  MATCH_THRESHOLD?: number;

  /** Overrides the profile's 1:1 (verify) threshold. */
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(2)
  VERIFY_THRESHOLD?: number;

  /** Overrides the profile's enrolment duplicate threshold; 0 turns the duplicate check off. */
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(2)
  ENROL_DUPLICATE_THRESHOLD?: number;

  /** Overrides the profile's 1:N margin over the runner-up (calibrated on LFW, docs/benchmarks.md). */
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(2)
  MATCH_MARGIN?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  MATCH_TOP_K: number = 10;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(8)
  ENROLL_MIN_FACE_SIZE: number = 32;

  /** Enrolment refuses a face turned further than this from frontal (degrees, from the five landmarks). */
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(90)
  ENROLL_MAX_YAW: number = 40;

  /** Enrolment refuses a face blurrier than this (variance of the Laplacian on a 96×96 face patch; 0 turns it off). */
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  ENROLL_MIN_SHARPNESS: number = 40;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  CACHE_TTL_SECONDS: number = 24 * 60 * 60;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  CACHE_CLEANUP_INTERVAL_SECONDS: number = 300;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  CACHE_CLEANUP_BATCH_SIZE: number = 1000;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_WINDOW_SECONDS: number = 60;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_DEFAULT: number = 300;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_INFERENCE: number = 60;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_ANONYMOUS: number = 30;

  /**
   * Where rate-limit counts live: `memory` (one instance) or `database` (shared by every instance
   * on the same PostgreSQL, so a key's limit holds across them).
   */
  @IsOptional()
  @IsIn(['memory', 'database'])
  RATE_LIMIT_STORE: 'memory' | 'database' = 'memory';

  @IsOptional()
  @IsIn(['true', 'false'])
  API_KEY_BOOTSTRAP: string = 'true';

  /** Serve the web console at /console (`false`: the API only). */
  @IsOptional()
  @IsIn(['true', 'false'])
  CONSOLE_ENABLED: string = 'true';

  /** The built web console (`npm run console:build` writes it there). */
  @IsOptional()
  @IsString()
  CONSOLE_DIR: string = './dist/console';
}
