import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ModelUnavailableError } from '../face/face.errors.js';
import { FaceModels, type ProfileModels } from '../face/face.ports.js';
import type { DbClient } from '../infra/database/db-client.js';
import type { AppConfig } from '../config/app-config.js';
import { ModelProfileDto, type ModelsResponseDto } from './dto/models.dto.js';
import { effectiveRule } from './match-rule.js';
import { FaceIndexRepository } from './face-index.repository.js';
import { GalleryStateRepository } from './gallery-state.repository.js';

/** How often an instance re-reads which space the gallery serves (another instance may switch it). */
const REFRESH_MS = 15_000;

export interface LoadedProfile extends ProfileModels {
  name: string;
}

/**
 * Which model profile recognition uses, decided against what the gallery holds. Normally it is
 * `FACE_PROFILE`. When the stored vectors come from another profile (the setting changed, or a
 * database from before profiles), that profile keeps serving — its models are loaded too — while
 * `FACE_PROFILE` becomes the target that re-embedding fills; new faces get vectors in both, and
 * the switch happens when the target space is complete (`switchTo`).
 */
@Injectable()
export class GalleryModels implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(GalleryModels.name);
  private servingProfile?: LoadedProfile;
  private targetProfile?: LoadedProfile;
  private servingModel?: string;
  private timer?: NodeJS.Timeout;
  private indexing: Promise<unknown> = Promise.resolve();
  private started!: () => void;
  /** Resolves once the serving (and target) profiles are loaded. */
  readonly ready = new Promise<void>((resolve) => (this.started = resolve));

  constructor(
    private readonly models: FaceModels,
    private readonly state: GalleryStateRepository,
    private readonly indexes: FaceIndexRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
    this.timer = setInterval(
      () => void this.refresh().catch((e: Error) => this.logger.warn(e.message)),
      REFRESH_MS,
    );
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.indexing;
  }

  /** Loads the active profile and, if the gallery is served by another, that one too. */
  async start(): Promise<void> {
    const active = await this.load(this.models.activeName);
    const activeModel = active.embedder.space.key;
    let serving = await this.state.servingModel();
    if (serving === null) {
      // First boot on this database: an empty gallery starts in the active space; vectors stored
      // before profiles existed name the space they were built in.
      serving = (await this.state.mostUsedModel()) ?? activeModel;
      await this.state.setServingModel(serving);
    }
    this.servingModel = serving;
    if (serving === activeModel) {
      this.servingProfile = active;
    } else {
      const name = await this.models.findBySpace(serving);
      if (name) {
        this.servingProfile = await this.load(name);
        this.targetProfile = active;
        await this.announceMove();
      } else {
        // The stored vectors' models are gone: serve the active profile with what it has.
        this.servingProfile = active;
        this.targetProfile = active;
        this.logger.error(
          `The gallery's vectors (${serving}) come from a model no installed profile provides; recognition ` +
            `uses '${active.name}' and finds only faces re-embedded into it. Re-embed the gallery.`,
        );
      }
    }
    this.ensureIndexes();
    this.started();
  }

  /** The profile recognition runs and searches with. */
  serving(): LoadedProfile {
    if (!this.servingProfile) throw new ModelUnavailableError('The face models are not loaded');
    return this.servingProfile;
  }

  /** The profile being moved to, while the gallery is served by another; undefined otherwise. */
  target(): LoadedProfile | undefined {
    return this.targetProfile;
  }

  /** The profiles a new face needs vectors in: the serving one and, during a move, the target. */
  writeProfiles(): LoadedProfile[] {
    const serving = this.serving();
    const target = this.targetProfile;
    return target && target.embedder.space.key !== serving.embedder.space.key ? [serving, target] : [serving];
  }

  /** What `GET /api/v1/models` reports. */
  describe(config: AppConfig): ModelsResponseDto {
    const serving = this.serving();
    const active = this.targetProfile ?? serving;
    const rule = effectiveRule(config, serving.profile.matching);
    return {
      active: ModelProfileDto.from(active.profile, active.embedder.space.key),
      serving: ModelProfileDto.from(serving.profile, serving.embedder.space.key),
      rule: {
        threshold: rule.threshold,
        margin: rule.margin,
        verify_threshold: rule.verifyThreshold,
        enrolment_threshold: rule.enrolmentThreshold,
      },
      enrolment_gate: {
        min_face_size: config.enrollment.minFaceSize,
        max_yaw: config.enrollment.maxYaw,
        min_sharpness: config.enrollment.minSharpness,
      },
      move_pending: this.targetProfile !== undefined,
      available: this.models.names(),
    };
  }

  /** The embedding space recognition searches, as stored (it can lag `serving()` when degraded). */
  get servingSpaceKey(): string | undefined {
    return this.servingModel;
  }

  /** Makes the target profile the serving one (in `db`'s transaction when given). */
  async switchTo(model: string, db?: DbClient): Promise<void> {
    await this.state.setServingModel(model, db);
    this.adopt(model);
  }

  /** Re-reads the serving space, which another instance's re-embedding job may have switched. */
  async refresh(): Promise<void> {
    const serving = await this.state.servingModel();
    if (serving && serving !== this.servingModel) this.adopt(serving);
  }

  private adopt(model: string): void {
    const target = this.targetProfile;
    if (target && target.embedder.space.key === model) {
      this.servingProfile = target;
      this.targetProfile = undefined;
      this.servingModel = model;
      this.logger.log(`The gallery now serves profile '${target.name}' (${model})`);
      this.ensureIndexes();
    } else if (model !== this.servingModel) {
      this.logger.warn(`The gallery was switched to ${model}, which this instance does not run; restart it`);
    }
  }

  private async load(name: string): Promise<LoadedProfile> {
    return { ...(await this.models.load(name)), name };
  }

  private async announceMove(): Promise<void> {
    const target = this.targetProfile!;
    const coverage = await this.state.coverage(target.embedder.space.key);
    this.logger.warn(
      `FACE_PROFILE is '${target.name}', but the gallery is served by '${this.serving().name}' ` +
        `(${this.servingModel}): ${coverage.covered} of ${coverage.faces} face(s) have '${target.name}' vectors` +
        (coverage.withoutCrop > 0
          ? `, ${coverage.withoutCrop} have no stored crop and need re-enrolment`
          : '') +
        '. Re-embed with POST /api/v1/admin/reembed or `npm run cli -- reembed`.',
    );
  }

  /** Builds the HNSW index of every space in use, in the background (the service serves meanwhile). */
  private ensureIndexes(): void {
    const spaces = this.writeProfiles().map((p) => p.embedder.space);
    this.indexing = this.indexing.then(async () => {
      for (const space of spaces) {
        await this.indexes.ensureIndex(space).catch((e: Error) => {
          this.logger.error(`Could not build the HNSW index for ${space.key}: ${e.message}`);
        });
      }
    });
  }
}
