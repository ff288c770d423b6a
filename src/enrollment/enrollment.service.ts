import { Injectable } from '@nestjs/common';
import { BadRequestError, ConflictError, NotFoundError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { FaceCacheService } from '../cache-cleanup/face-cache.service.js';
import type { CachedFaceEntry } from '../cache-cleanup/face-cache.repository.js';
import type { DecodedImage } from '../face/face.types.js';
import type { SpaceVector } from '../gallery/face-embeddings.repository.js';
import { GalleryModels, type LoadedProfile } from '../gallery/gallery-models.service.js';
import type { DbClient } from '../infra/database/db-client.js';
import { PrismaService } from '../infra/database/prisma.service.js';
import type { FaceMetadataDto } from '../matching/dto/recognise-response.dto.js';
import { selectMainFace } from '../matching/face-selection.js';
import { MatchPolicy } from '../matching/match-policy.js';
import { MatchingRepository } from '../matching/matching.repository.js';
import { EmailTakenError } from '../users/user.errors.js';
import { FaceAnalysisService } from '../pipeline/face-analysis.service.js';
import type { AddUserDto } from './dto/add-user.dto.js';
import { checkEnrolmentQuality } from './enrolment-quality.js';
import { EnrollmentRepository, type NewFace } from './enrollment.repository.js';

export interface EnrolledUser {
  userId: string;
  faceId: string;
  /** The face used, when enrolled from an image (a req_id's face was described when recognised). */
  metadata: FaceMetadataDto | null;
}

/** Enrolment: new users from a cached `req_id` or an image, and extra faces for existing users. */
@Injectable()
export class EnrollmentService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly repository: EnrollmentRepository,
    private readonly matching: MatchingRepository,
    private readonly cache: FaceCacheService,
    private readonly analysis: FaceAnalysisService,
    private readonly gallery: GalleryModels,
    private readonly policy: MatchPolicy,
    private readonly config: AppConfig,
  ) {}

  /**
   * Creates a user with one face. Inference runs before the transaction; inside it the cached
   * vector is consumed, the face is checked against enrolled users and the user is written — so a
   * refusal (duplicate e-mail, face already enrolled) rolls back and leaves the `req_id` usable.
   * `alsoInTransaction` runs last inside that transaction (a batch job records the item's
   * completion there, so an enrolment and its record commit or roll back together).
   */
  async addUser(
    dto: AddUserDto,
    image?: Uint8Array,
    alsoInTransaction?: (tx: DbClient, created: EnrolledUser) => Promise<void>,
  ): Promise<EnrolledUser> {
    if (dto.req_id && image) throw new BadRequestError('Give either req_id or image, not both');
    if (!dto.req_id && !image) throw new BadRequestError('Give req_id (from recognise_user) or an image');
    // Inference (the image, or a cached crop during a profile move) runs before the transaction.
    const fromImage = image ? await this.faceFromImage(image) : undefined;
    const extraVectors = fromImage ? [] : await this.cachedFaceExtraVectors(dto.req_id!);
    return this.prisma.$transaction(async (tx) => {
      const face = fromImage?.record ?? (await this.takeCached(tx, dto.req_id!, extraVectors));
      await this.refuseEnrolledFace(tx, face);
      if (dto.email && (await this.repository.emailTaken(tx, dto.email))) throw new EmailTakenError();
      const userId = await this.repository.createUser(tx, {
        name: dto.name,
        email: dto.email ?? null,
        birthdate: new Date(`${dto.birthdate}T00:00:00Z`),
      });
      const faceId = await this.repository.insertFace(tx, userId, face);
      const created = { userId, faceId, metadata: fromImage?.metadata ?? null };
      await alsoInTransaction?.(tx, created);
      return created;
    });
  }

  /** Adds a face to an existing user, refused when it matches somebody else. */
  async addFace(userId: string, image: Uint8Array): Promise<{ faceId: string; metadata: FaceMetadataDto }> {
    const { record, metadata } = await this.faceFromImage(image);
    const faceId = await this.prisma.$transaction(async (tx) => {
      if (!(await this.repository.userExists(tx, userId)))
        throw new NotFoundError(`User ${userId} not found`);
      await this.refuseEnrolledFace(tx, record, userId);
      return this.repository.insertFace(tx, userId, record);
    });
    return { faceId, metadata };
  }

  private faceFromImage(image: Uint8Array): Promise<{ record: NewFace; metadata: FaceMetadataDto }> {
    return this.analysis.withImage(image, (decoded) => this.faceFromDecoded(decoded));
  }

  private async faceFromDecoded(
    decoded: DecodedImage,
  ): Promise<{ record: NewFace; metadata: FaceMetadataDto }> {
    const [serving, ...others] = this.gallery.writeProfiles();
    const analysed = await this.analysis.analyzeDecoded(decoded, serving!, { crops: true });
    const { face, metadata } = selectMainFace(analysed);
    checkEnrolmentQuality(face.quality, this.config.enrollment);
    const vectors: SpaceVector[] = [{ space: serving!.embedder.space, embedding: face.embedding }];
    vectors.push(...(await this.otherVectors(decoded, face.box, others)));
    return {
      record: {
        detectionScore: face.score,
        box: face.box,
        imageSha256: analysed.image.sha256,
        crop: face.crop?.jpeg ?? null,
        vectors,
      },
      metadata,
    };
  }

  /** During a profile move, the target profile's vector of a face, computed from the same pixels. */
  private async otherVectors(image: DecodedImage, box: NewFace['box'], profiles: LoadedProfile[]) {
    const vectors: SpaceVector[] = [];
    for (const models of profiles) {
      const embedding = await this.analysis.embedAt(image, box, models);
      if (embedding) vectors.push({ space: models.embedder.space, embedding });
    }
    return vectors;
  }

  /**
   * During a profile move, the target profile's vector of a cached face, from its stored crop.
   * Read without consuming the entry; the transaction consumes it (or finds it gone).
   */
  private async cachedFaceExtraVectors(reqId: string): Promise<SpaceVector[]> {
    const [, ...others] = this.gallery.writeProfiles();
    if (others.length === 0) return [];
    const cached = await this.cache.peek(reqId);
    if (!cached?.crop) return [];
    const vectors: SpaceVector[] = [];
    for (const models of others) {
      const embedding = await this.analysis.embedCrop(cached.crop, models).catch(() => null);
      if (embedding) vectors.push({ space: models.embedder.space, embedding });
    }
    return vectors;
  }

  private async takeCached(tx: DbClient, reqId: string, extraVectors: SpaceVector[]): Promise<NewFace> {
    const cached = await this.cache.take(tx, reqId);
    // A vector from another space cannot be compared with the gallery's: treat it as gone.
    const serving = this.gallery.serving().embedder.space;
    if (!cached || cached.model !== serving.key) {
      throw new NotFoundError('req_id not found: it is unknown, expired or already used');
    }
    // The cached face's metadata holds the quality measured when it was recognised.
    const quality = cached.metadata as { face_size?: number; yaw?: number; sharpness?: number };
    checkEnrolmentQuality(
      {
        faceSize: quality.face_size ?? Infinity,
        yaw: quality.yaw ?? 0,
        sharpness: quality.sharpness ?? Infinity,
      },
      this.config.enrollment,
    );
    return cachedFace(cached, serving, extraVectors);
  }

  /**
   * One person, one user: a face that recognise_user would attribute to another user is refused
   * (the same policy, so a user enrolled here can be recognised rather than shadowed).
   */
  private async refuseEnrolledFace(tx: DbClient, face: NewFace, allowedUserId?: string): Promise<void> {
    const serving = face.vectors[0]!;
    const nearest = await this.matching.findNearestUsers(
      {
        embedding: serving.embedding,
        space: serving.space,
        topK: this.config.matching.topK,
        maxDistance: this.policy.searchRadius,
        limit: 2,
      },
      tx,
    );
    const owner = this.policy.duplicateOf(nearest);
    if (owner && owner.userId !== allowedUserId) {
      throw new ConflictError(`This face is already enrolled as user ${owner.userId}`, {
        user_id: owner.userId,
      });
    }
  }
}

function cachedFace(cached: CachedFaceEntry, space: SpaceVector['space'], extra: SpaceVector[]): NewFace {
  return {
    detectionScore: cached.detectionScore,
    box: cached.box,
    imageSha256: cached.imageSha256,
    crop: cached.crop,
    vectors: [{ space, embedding: cached.embedding }, ...extra],
  };
}
