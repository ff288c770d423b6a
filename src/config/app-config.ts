import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { resolve } from 'node:path';
import { EnvSchema } from './env.schema.js';
import {
  type EncodingsConfig,
  type JobsConfig,
  loadJobsConfig,
  type ServiceRole,
  type VideoConfig,
} from './jobs-config.js';

export interface ServerConfig {
  port: number;
  host: string;
  env: string;
  logLevel: string;
  logFormat: 'text' | 'json';
  shutdownTimeoutMs: number;
  /** Express `trust proxy`: which X-Forwarded-For hops to believe for the client IP (rate limits). */
  trustProxy: boolean | number | string;
  /** Origins allowed cross-origin (`CORS_ORIGINS`): a list, `'*'`, or undefined (none). */
  corsOrigins: string[] | '*' | undefined;
  /** `SERVICE_ROLE`: API and job workers (`all`), the API only, or job workers only. */
  role: ServiceRole;
}

export interface DatabaseConfig {
  /** A real PostgreSQL+pgvector server; when absent the embedded PGlite database is used. */
  url?: string;
  /** Where the embedded database persists; `memory://` keeps it in memory (tests). */
  dataDir: string;
  poolSize: number;
  /** `hnsw.ef_search` on every connection: HNSW candidates per search, trading latency for recall. */
  searchEf: number;
}

export interface ModelsConfig {
  dir: string;
  /** `FACE_PROFILE`; undefined: the manifest's default profile. */
  profile?: string;
  profilesFile?: string;
  workers: number;
  threadsPerWorker: number;
  /** Overrides of the profile's detector settings. */
  minScore?: number;
  minFaceSize?: number;
}

export interface CropConfig {
  /** Longer side of the stored face crop in pixels; 0 stores none. */
  size: number;
  quality: number;
}

export interface ImagesConfig {
  maxBytes: number;
  maxPixels: number;
  /** Pixels all concurrent uploads may hold decoded; at least `maxPixels`. */
  decodeBudgetPixels: number;
  decodeQueueTimeoutMs: number;
}

export interface MatchingConfig {
  /** Set by `MATCH_THRESHOLD`; when undefined the profile's calibrated threshold applies. */
  threshold: number | undefined;
  /** Set by `MATCH_MARGIN` (1:N: how much closer than the runner-up); undefined: the profile's. */
  margin: number | undefined;
  /** Set by `VERIFY_THRESHOLD` (1:1); undefined: the profile's. */
  verifyThreshold: number | undefined;
  /** Set by `ENROL_DUPLICATE_THRESHOLD`; undefined: the profile's. */
  enrolmentThreshold: number | undefined;
  topK: number;
}

export interface EnrollmentConfig {
  /** Faces smaller than this (shorter box side, pixels) are refused for enrolment. */
  minFaceSize: number;
  /** Faces turned further than this (degrees) are refused. */
  maxYaw: number;
  /** Faces blurrier than this (Laplacian variance of the quality patch) are refused. */
  minSharpness: number;
}

export interface CacheConfig {
  ttlSeconds: number;
  cleanupIntervalSeconds: number;
  cleanupBatchSize: number;
}

export interface RateLimitConfig {
  windowSeconds: number;
  defaultLimit: number;
  inferenceLimit: number;
  anonymousLimit: number;
  store: 'memory' | 'database';
}

export interface ApiKeysConfig {
  bootstrap: boolean;
}

export interface ConsoleConfig {
  /** Whether /console serves the web console. */
  enabled: boolean;
  /** Absolute path of the built console (index.html and assets/). */
  dir: string;
}

/** Typed, validated configuration. Built once at boot by `loadConfig`; injected everywhere else. */
export class AppConfig {
  constructor(
    readonly server: ServerConfig,
    readonly database: DatabaseConfig,
    readonly models: ModelsConfig,
    readonly images: ImagesConfig,
    readonly crops: CropConfig,
    readonly matching: MatchingConfig,
    readonly enrollment: EnrollmentConfig,
    readonly cache: CacheConfig,
    readonly rateLimit: RateLimitConfig,
    readonly apiKeys: ApiKeysConfig,
    readonly console: ConsoleConfig,
    readonly jobs: JobsConfig,
    readonly video: VideoConfig,
    readonly encodings: EncodingsConfig,
  ) {}
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Validates the environment and builds the configuration. Throws `ConfigValidationError` listing
 * every bad variable at once, so a misconfigured deployment fails at boot with one clear message.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<string, string>> = {},
): AppConfig {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...env, ...overrides })) {
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = plainToInstance(EnvSchema, raw, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigValidationError(
      errors.map(
        (e) =>
          `${e.property}=${JSON.stringify(raw[e.property] ?? null)}: ${Object.values(e.constraints ?? {}).join('; ')}`,
      ),
    );
  }
  const modelsDir = resolve(parsed.MODELS_DIR);
  return new AppConfig(
    {
      port: parsed.PORT,
      host: parsed.HOST,
      env: parsed.NODE_ENV,
      logLevel: parsed.LOG_LEVEL,
      logFormat: parsed.LOG_FORMAT,
      shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
      trustProxy: parseTrustProxy(parsed.TRUST_PROXY),
      corsOrigins:
        parsed.CORS_ORIGINS === '*'
          ? '*'
          : parsed.CORS_ORIGINS?.split(',').map((origin) => origin.trim().replace(/\/$/, '')),
      role: parsed.SERVICE_ROLE,
    },
    {
      url: parsed.DATABASE_URL,
      dataDir: parsed.DATA_DIR === 'memory://' ? 'memory://' : resolve(parsed.DATA_DIR),
      poolSize: parsed.DATABASE_POOL_SIZE,
      searchEf: parsed.SEARCH_EF,
    },
    {
      dir: modelsDir,
      profile: parsed.FACE_PROFILE,
      profilesFile: parsed.PROFILES_FILE === undefined ? undefined : resolve(parsed.PROFILES_FILE),
      workers: parsed.INFERENCE_WORKERS,
      threadsPerWorker: parsed.INFERENCE_THREADS,
      minScore: parsed.DETECTION_MIN_SCORE,
      minFaceSize: parsed.DETECTION_MIN_FACE_SIZE,
    },
    {
      maxBytes: parsed.MAX_IMAGE_BYTES,
      maxPixels: parsed.MAX_IMAGE_PIXELS,
      // One largest image at a time by default: 20 concurrent 40 MP uploads peaked at 1.52 GiB RSS
      // with it and 1.87 GiB with twice as much (bench:memory). Never below one image of the
      // largest size, or such an upload could never be served.
      decodeBudgetPixels: Math.max(
        parsed.DECODE_PIXEL_BUDGET ?? parsed.MAX_IMAGE_PIXELS,
        parsed.MAX_IMAGE_PIXELS,
      ),
      decodeQueueTimeoutMs: parsed.DECODE_QUEUE_TIMEOUT_MS,
    },
    { size: parsed.FACE_CROP_SIZE, quality: parsed.FACE_CROP_QUALITY },
    {
      threshold: parsed.MATCH_THRESHOLD,
      margin: parsed.MATCH_MARGIN,
      verifyThreshold: parsed.VERIFY_THRESHOLD,
      enrolmentThreshold: parsed.ENROL_DUPLICATE_THRESHOLD,
      topK: parsed.MATCH_TOP_K,
    },
    {
      minFaceSize: parsed.ENROLL_MIN_FACE_SIZE,
      maxYaw: parsed.ENROLL_MAX_YAW,
      minSharpness: parsed.ENROLL_MIN_SHARPNESS,
    },
    {
      ttlSeconds: parsed.CACHE_TTL_SECONDS,
      cleanupIntervalSeconds: parsed.CACHE_CLEANUP_INTERVAL_SECONDS,
      cleanupBatchSize: parsed.CACHE_CLEANUP_BATCH_SIZE,
    },
    {
      windowSeconds: parsed.RATE_LIMIT_WINDOW_SECONDS,
      defaultLimit: parsed.RATE_LIMIT_DEFAULT,
      inferenceLimit: parsed.RATE_LIMIT_INFERENCE,
      anonymousLimit: parsed.RATE_LIMIT_ANONYMOUS,
      store: parsed.RATE_LIMIT_STORE,
    },
    { bootstrap: parsed.API_KEY_BOOTSTRAP === 'true' },
    { enabled: parsed.CONSOLE_ENABLED === 'true', dir: resolve(parsed.CONSOLE_DIR) },
    ...jobsNamespaces(loadJobsConfig(parsed, parsed.INFERENCE_WORKERS)),
  );
}

function jobsNamespaces(c: ReturnType<typeof loadJobsConfig>): [JobsConfig, VideoConfig, EncodingsConfig] {
  return [c.jobs, c.video, c.encodings];
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}
