import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConflictError } from '../../common/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { FaceAnalysisService } from '../../pipeline/face-analysis.service.js';
import { FaceEmbeddingsRepository } from '../face-embeddings.repository.js';
import { GalleryModels, type LoadedProfile } from '../gallery-models.service.js';
import { GalleryStateRepository } from '../gallery-state.repository.js';
import { type ReembedJob, ReembedRepository } from './reembed.repository.js';

/**
 * Provide `false` under this token to keep an application context from picking up running jobs
 * by itself (the CLI's `status` and `cancel` must not start re-embedding as a side effect).
 */
export const REEMBED_AUTO_RESUME = Symbol('REEMBED_AUTO_RESUME');

/** Faces fetched per round; the lease is renewed every round. */
const BATCH = 32;
const LEASE_SECONDS = 60;
/** How often an instance looks for a running job whose holder stopped (to take it over). */
const WATCH_MS = 30_000;
/** Users listed by name in a report (the counts are complete). */
const REPORT_LIMIT = 100;

export interface ReembedStatus {
  job: ReembedJob | null;
  failures: Array<{ faceId: string; userId: string; reason: string }>;
  servingModel: string | undefined;
  servingProfile: string;
  targetProfile: string | undefined;
  targetModel: string | undefined;
  coverage?: { faces: number; covered: number; pending: number; withoutCrop: number };
  usersWithoutTarget?: { count: number; sample: string[] };
}

/**
 * Moves the gallery to the active profile (`FACE_PROFILE`) while the previous one keeps serving:
 * every stored face crop is run through the target profile and its vector stored beside the old
 * one. Progress lives in the database, so a job resumes after a restart (or on another instance,
 * once the lease of the one that held it expires). When every face that can be re-embedded has
 * been, the gallery switches to the target space in one statement — unless some users would be
 * left with no vector there (faces enrolled before crops were kept, or crops in which the target
 * detector finds no face): then it reports them and switches only when asked to (`allowIncomplete`).
 */
@Injectable()
export class ReembedService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReembedService.name);
  private readonly owner = randomUUID();
  private runner?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly repository: ReembedRepository,
    private readonly gallery: GalleryModels,
    private readonly state: GalleryStateRepository,
    private readonly vectors: FaceEmbeddingsRepository,
    private readonly analysis: FaceAnalysisService,
    private readonly config: AppConfig,
    @Optional() @Inject(REEMBED_AUTO_RESUME) private readonly autoResume: boolean = true,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.autoResume) return;
    await this.gallery.ready;
    await this.resume();
    this.timer = setInterval(
      () => void this.resume().catch((e: Error) => this.logger.warn(e.message)),
      WATCH_MS,
    );
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.runner;
  }

  /** Starts a job towards the active profile; 409 when there is nothing to move or a job runs. */
  async start(allowIncomplete = false): Promise<ReembedJob> {
    const target = this.gallery.target();
    if (!target) {
      throw new ConflictError(
        `The gallery is already served by the active profile '${this.gallery.serving().name}'; nothing to re-embed`,
      );
    }
    const targetModel = target.embedder.space.key;
    const coverage = await this.state.coverage(targetModel);
    const job = await this.repository.create({
      sourceModel: this.gallery.servingSpaceKey ?? this.gallery.serving().embedder.space.key,
      targetModel,
      targetProfile: target.name,
      total: coverage.pending,
      withoutCrop: coverage.withoutCrop,
      allowIncomplete,
    });
    this.logger.log(`Re-embedding ${coverage.pending} face(s) into '${target.name}' (job ${job.id})`);
    this.launch(job);
    return job;
  }

  async cancel(): Promise<ReembedJob> {
    const job = await this.repository.running();
    if (!job) throw new ConflictError('No re-embedding job is running');
    await this.repository.finish(job.id, 'cancelled', 'Cancelled by an administrator');
    return (await this.repository.find(job.id))!;
  }

  async status(): Promise<ReembedStatus> {
    const job = await this.repository.latest();
    const target = this.gallery.target();
    const targetModel = target?.embedder.space.key;
    return {
      job,
      failures: job ? await this.repository.failures(job.id, REPORT_LIMIT) : [],
      servingModel: this.gallery.servingSpaceKey,
      servingProfile: this.gallery.serving().name,
      targetProfile: target?.name,
      targetModel,
      ...(targetModel && {
        coverage: await this.state.coverage(targetModel),
        usersWithoutTarget: await this.repository.usersWithout(targetModel, REPORT_LIMIT),
      }),
    };
  }

  /** Waits for the job this instance is running, if any (tests, the CLI). */
  async settled(): Promise<void> {
    await this.runner;
  }

  /** Runs the running job here if its lease is free (the CLI's `resume`); false when it is held elsewhere. */
  async resumeHere(): Promise<boolean> {
    await this.resume();
    return this.runner !== undefined;
  }

  /** Picks up a running job whose lease is free: after a restart, or from a stopped instance. */
  private async resume(): Promise<void> {
    if (this.runner || this.stopping) return;
    const job = await this.repository.running();
    if (!job) return;
    const target = this.gallery.target();
    if (!target || target.embedder.space.key !== job.targetModel) {
      // FACE_PROFILE changed since the job started (or the gallery already switched).
      await this.repository.finish(job.id, 'cancelled', 'The active profile changed; start a new job');
      return;
    }
    if (await this.repository.claim(job.id, this.owner, LEASE_SECONDS)) {
      this.logger.log(`Resuming re-embedding job ${job.id} (${job.done} of ${job.total} done)`);
      this.launch(job);
    }
  }

  private launch(job: ReembedJob): void {
    this.runner = this.run(job)
      .catch(async (error: Error) => {
        this.logger.error(`Re-embedding job ${job.id} failed: ${error.message}`);
        await this.repository.finish(job.id, 'failed', error.message).catch(() => undefined);
      })
      .finally(() => {
        this.runner = undefined;
      });
  }

  private async run(job: ReembedJob): Promise<void> {
    const target = this.gallery.target();
    if (!target) return;
    for (;;) {
      if (this.stopping) {
        // Shutting down: the next instance to start picks the job up where it stopped.
        await this.repository.release(job.id, this.owner);
        return;
      }
      if (!(await this.repository.claim(job.id, this.owner, LEASE_SECONDS))) return; // cancelled or taken over
      const faces = await this.repository.pending(job, BATCH);
      if (faces.length === 0) break;
      let done = 0;
      let failed = 0;
      await forEachConcurrent(faces, this.config.models.workers, async (face) => {
        const reason = await this.embedOne(face.id, face.crop, target);
        if (reason) {
          await this.repository.recordFailure(job.id, face.id, reason);
          failed++;
        } else done++;
      });
      await this.repository.addProgress(job.id, done, failed);
    }
    await this.complete(job, target);
  }

  /** Stores the target vector of one face; returns why not, when it cannot. */
  private async embedOne(faceId: string, crop: Uint8Array, target: LoadedProfile): Promise<string | null> {
    let embedding: Float32Array | null;
    try {
      embedding = await this.analysis.embedCrop(crop, target);
    } catch (error) {
      return `The stored crop could not be processed: ${(error as Error).message}`;
    }
    if (!embedding) return `The '${target.name}' detector finds no face in the stored crop`;
    await this.vectors.insert(faceId, { space: target.embedder.space, embedding });
    return null;
  }

  private async complete(job: ReembedJob, target: LoadedProfile): Promise<void> {
    const current = (await this.repository.find(job.id))!;
    const left = await this.repository.usersWithout(job.targetModel, REPORT_LIMIT);
    if (left.count > 0 && !current.allowIncomplete) {
      const message =
        `${left.count} user(s) have no face the '${target.name}' profile could embed (enrolled before crops ` +
        'were kept, or no face found in the crop). Add a face to each (POST /api/v1/users/{id}/faces) and ' +
        'run again, or start with allow_incomplete to switch anyway.';
      await this.repository.finish(job.id, 'completed', message, false);
      this.logger.warn(`Re-embedding job ${job.id} done without switching: ${message}`);
      return;
    }
    await this.gallery.switchTo(job.targetModel);
    const message = left.count > 0 ? `Switched; ${left.count} user(s) have no face in the new space` : null;
    await this.repository.finish(job.id, 'completed', message, true);
    this.logger.log(`Re-embedding job ${job.id} complete: the gallery now serves '${target.name}'`);
  }
}

async function forEachConcurrent<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}
