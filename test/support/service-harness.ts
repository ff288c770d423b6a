import type { Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { FaceCacheRepository } from '../../src/cache-cleanup/face-cache.repository.js';
import { FaceCacheService } from '../../src/cache-cleanup/face-cache.service.js';
import { Clock } from '../../src/common/clock.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';
import { EnrollmentRepository } from '../../src/enrollment/enrollment.repository.js';
import { EnrollmentService } from '../../src/enrollment/enrollment.service.js';
import { FaceModels } from '../../src/face/face.ports.js';
import { FaceEmbeddingsRepository } from '../../src/gallery/face-embeddings.repository.js';
import { FaceIndexRepository } from '../../src/gallery/face-index.repository.js';
import { GalleryModels } from '../../src/gallery/gallery-models.service.js';
import { GalleryStateRepository } from '../../src/gallery/gallery-state.repository.js';
import { DatabaseService } from '../../src/infra/database/database.service.js';
import { PrismaService } from '../../src/infra/database/prisma.service.js';
import { MatchPolicy } from '../../src/matching/match-policy.js';
import { MatchingRepository } from '../../src/matching/matching.repository.js';
import { MatchingService } from '../../src/matching/matching.service.js';
import { StatsCounters } from '../../src/matching/stats-counters.repository.js';
import { FaceAnalysisService } from '../../src/pipeline/face-analysis.service.js';
import { ImageIntakeService } from '../../src/pipeline/image-intake.service.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import type { FakeFaceModels } from './fake-face-models.js';

/** A clock the test moves by hand (expiry without sleeping). */
export class SettableClock extends Clock {
  private current = new Date('2030-01-01T00:00:00Z');

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface ServiceHarness {
  moduleRef: TestingModule;
  db: TestDatabase;
  prisma: PrismaService;
  config: AppConfig;
  clock: SettableClock;
  models: FakeFaceModels;
  gallery: GalleryModels;
  matching: MatchingService;
  enrollment: EnrollmentService;
  policy: MatchPolicy;
  /** Empties users, faces, vectors, the face cache and the counters (not the gallery state). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface ServiceHarnessOptions {
  /** Environment overrides on top of the defaults (as `loadConfig` reads them). */
  env?: Record<string, string>;
  /** Written into gallery_state before the gallery starts: which space the stored vectors are in. */
  servingModel?: string;
  /** More providers for the module (e.g. the jobs services), next to matching and enrolment. */
  providers?: Provider[];
}

/**
 * Matching and enrolment services as `MatchingModule` and `EnrollmentModule` wire them — the real
 * repositories on the real embedded database (PGlite + pgvector, migrated) — with fake inference
 * (`FakeFaceModels`) and a clock the test controls. No HTTP, no ONNX.
 */
export async function startServiceHarness(
  models: FakeFaceModels,
  options: ServiceHarnessOptions = {},
): Promise<ServiceHarness> {
  const db = await createTestDatabase();
  try {
    if (options.servingModel)
      await new GalleryStateRepository(db.prisma).setServingModel(options.servingModel);
    const config = loadConfig({}, { DATA_DIR: 'memory://', ...options.env });
    const clock = new SettableClock();
    const moduleRef = await Test.createTestingModule({
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Clock, useValue: clock },
        { provide: PrismaService, useValue: db.prisma },
        // FaceIndexRepository asks only which kind of server it builds indexes on.
        { provide: DatabaseService, useValue: { mode: 'embedded' } },
        { provide: FaceModels, useValue: models },
        ImageIntakeService,
        FaceAnalysisService,
        GalleryStateRepository,
        FaceIndexRepository,
        FaceEmbeddingsRepository,
        GalleryModels,
        FaceCacheRepository,
        FaceCacheService,
        MatchingRepository,
        MatchPolicy,
        StatsCounters,
        MatchingService,
        EnrollmentRepository,
        EnrollmentService,
        ...(options.providers ?? []),
      ],
    }).compile();
    moduleRef.useLogger(false);
    // onApplicationBootstrap: GalleryModels decides the serving profile and builds the HNSW indexes.
    await moduleRef.init();
    const gallery = moduleRef.get(GalleryModels);
    await gallery.ready;
    return {
      moduleRef,
      db,
      prisma: db.prisma,
      config,
      clock,
      models,
      gallery,
      matching: moduleRef.get(MatchingService),
      enrollment: moduleRef.get(EnrollmentService),
      policy: moduleRef.get(MatchPolicy),
      async reset() {
        await db.prisma.$executeRawUnsafe(
          'TRUNCATE users, faces, face_embeddings, face_cache, counters RESTART IDENTITY CASCADE',
        );
      },
      async close() {
        try {
          await moduleRef.close();
        } finally {
          await db.close();
        }
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
