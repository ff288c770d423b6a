import { Injectable, Optional } from '@nestjs/common';
import { NotFoundError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { FaceCacheService } from '../cache-cleanup/face-cache.service.js';
import { round } from '../faces/dto/face.dto.js';
import { GalleryModels } from '../gallery/gallery-models.service.js';
import type { ProfileModels } from '../face/face.ports.js';
import { type FaceAnalysisResult, FaceAnalysisService } from '../pipeline/face-analysis.service.js';
import type { IdentifyResponseDto } from './dto/identify.dto.js';
import type { RecogniseMatchDto, RecogniseNoMatchDto } from './dto/recognise-response.dto.js';
import { UserInfoDto } from './dto/user-info.dto.js';
import type { VerifyResponseDto } from './dto/verify.dto.js';
import { selectMainFace } from './face-selection.js';
import { MatchPolicy } from './match-policy.js';
import { MatchingRepository, type UserCandidate } from './matching.repository.js';
import { StatsCounters } from './stats-counters.repository.js';

/** Recognition (1:N with enrolment hand-off), identification and verification. */
@Injectable()
export class MatchingService {
  constructor(
    private readonly analysis: FaceAnalysisService,
    private readonly gallery: GalleryModels,
    private readonly repository: MatchingRepository,
    private readonly cache: FaceCacheService,
    private readonly counters: StatsCounters,
    private readonly policy: MatchPolicy,
    private readonly config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /**
   * The owner's flow: the enrolled user the policy accepts (within the threshold, clear of the
   * runner-up) is a match; otherwise the face's vector is cached under a fresh `req_id` so the
   * person can be enrolled without re-uploading.
   */
  async recognise(image: Uint8Array): Promise<RecogniseMatchDto | RecogniseNoMatchDto> {
    const models = this.gallery.serving();
    const analysed = await this.analysis.analyze(image, models, { crops: true });
    return this.recogniseAnalysed(analysed, models);
  }

  /**
   * `recognise` for an image already analysed (with crops) by `models`, the serving profile — how
   * batch recognition also keeps the file's encodings without running the models twice.
   */
  async recogniseAnalysed(
    analysed: FaceAnalysisResult,
    models: ProfileModels,
  ): Promise<RecogniseMatchDto | RecogniseNoMatchDto> {
    const { face, metadata } = selectMainFace(analysed);
    const { match, ambiguous } = this.policy.decide(await this.nearest(face.embedding, 2));
    await this.counters.increment('recognitions');
    this.metrics?.countOutcome('recognise_user', match ? 'match' : ambiguous ? 'ambiguous' : 'no_match');
    if (match) {
      return {
        status: 'success',
        message: 'Match found',
        user_info: UserInfoDto.from({ ...match, id: match.userId }),
        ...this.scores(match.distance),
        threshold: this.policy.threshold,
        metadata,
      };
    }
    const { reqId, expiresAt } = await this.cache.put({
      embedding: face.embedding,
      model: models.embedder.space.key,
      detectionScore: face.score,
      box: face.box,
      imageSha256: analysed.image.sha256,
      crop: face.crop?.jpeg ?? null,
      metadata: { ...metadata },
    });
    return {
      status: 'failure',
      message: 'no_match',
      req_id: reqId,
      expiresAt: expiresAt.toISOString(),
      metadata,
    };
  }

  async identify(image: Uint8Array, topK = 5): Promise<IdentifyResponseDto> {
    const analysed = await this.analysis.analyze(image, this.gallery.serving());
    const { face, metadata } = selectMainFace(analysed);
    // One more than asked for, so the margin to the runner-up is known even at top_k 1.
    const nearest = await this.nearest(face.embedding, topK + 1);
    const { match, ambiguous } = this.policy.decide(nearest);
    await this.counters.increment('recognitions');
    this.metrics?.countOutcome('identify', match ? 'identified' : ambiguous ? 'ambiguous' : 'unknown');
    return {
      result: match ? 'identified' : ambiguous ? 'ambiguous' : 'unknown',
      candidates: nearest
        .filter((c) => c.distance <= this.policy.threshold)
        .slice(0, topK)
        .map((c) => ({ user_info: UserInfoDto.from({ ...c, id: c.userId }), ...this.scores(c.distance) })),
      threshold: this.policy.threshold,
      margin: this.policy.margin,
      metadata,
    };
  }

  /** 1:1 — two images, or one image against every face of an enrolled user (the closest counts). */
  async verify(
    image1: Uint8Array,
    target: { image: Uint8Array } | { userId: string },
  ): Promise<VerifyResponseDto> {
    const models = this.gallery.serving();
    if ('image' in target) {
      const [a, b] = await Promise.all([
        this.analysis.analyze(image1, models),
        this.analysis.analyze(target.image, models),
      ]);
      const first = selectMainFace(a);
      const second = selectMainFace(b);
      return this.verdict(cosineDistance(first.face.embedding, second.face.embedding), [
        first.metadata,
        second.metadata,
      ]);
    }
    const analysed = await this.analysis.analyze(image1, models);
    const probe = selectMainFace(analysed);
    const distance = await this.repository.distanceToUser(
      probe.face.embedding,
      models.embedder.space,
      target.userId,
    );
    if (distance === null) throw new NotFoundError(`User ${target.userId} not found or has no enrolled face`);
    return this.verdict(distance, [probe.metadata]);
  }

  private nearest(embedding: Float32Array, limit: number): Promise<UserCandidate[]> {
    return this.repository.findNearestUsers({
      embedding,
      space: this.gallery.serving().embedder.space,
      topK: Math.max(this.config.matching.topK, limit),
      maxDistance: this.policy.searchRadius,
      limit,
    });
  }

  private verdict(distance: number, faces: VerifyResponseDto['faces']): VerifyResponseDto {
    const verified = this.policy.verifies(distance);
    this.metrics?.countOutcome('verify', verified ? 'verified' : 'not_verified');
    return {
      verified,
      ...this.scores(distance),
      threshold: this.policy.verifyThreshold,
      model: this.gallery.serving().embedder.space.key,
      faces,
    };
  }

  private scores(distance: number): { similarity: number; distance: number } {
    return { similarity: round(1 - distance, 4), distance: round(distance, 4) };
  }
}

/** Cosine distance of two L2-normalised vectors. */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return 1 - dot;
}
