import { Injectable } from '@nestjs/common';
import { BadRequestError, ConflictError, DomainError, NotFoundError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { FaceCacheService } from '../cache-cleanup/face-cache.service.js';
import { FaceAnalysisService } from '../embedding/face-analysis.service.js';
import { Prisma } from '../generated/prisma/client.js';
import type { DbClient } from '../infra/database/db-client.js';
import { PrismaService } from '../infra/database/prisma.service.js';
import type { FaceMetadataDto } from '../matching/dto/recognise-response.dto.js';
import { selectLargestFace } from '../matching/face-selection.js';
import { MatchPolicy } from '../matching/match-policy.js';
import { MatchingRepository } from '../matching/matching.repository.js';
import type { AddUserDto } from './dto/add-user.dto.js';
import { EnrollmentRepository, type FaceRecord } from './enrollment.repository.js';

export class FaceTooSmallError extends DomainError {
  constructor(size: number, min: number) {
    super(400, 602, `Face too small to enrol: ${Math.round(size)} px, at least ${min} px needed`);
  }
}

const EMAIL_TAKEN = 'User already exists with this email';

/** Enrolment: new users from a cached `req_id` or an image, and extra faces for existing users. */
@Injectable()
export class EnrollmentService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly repository: EnrollmentRepository,
    private readonly matching: MatchingRepository,
    private readonly cache: FaceCacheService,
    private readonly analysis: FaceAnalysisService,
    private readonly policy: MatchPolicy,
    private readonly config: AppConfig,
  ) {}

  /**
   * Creates a user with one face. Inference runs before the transaction; inside it the cached
   * vector is consumed, the face is checked against enrolled users and the user is written — so a
   * refusal (duplicate e-mail, face already enrolled) rolls back and leaves the `req_id` usable.
   */
  async addUser(dto: AddUserDto, image?: Uint8Array): Promise<{ userId: string; faceId: string }> {
    if (dto.req_id && image) throw new BadRequestError('Give either req_id or image, not both');
    if (!dto.req_id && !image) throw new BadRequestError('Give req_id (from recognise_user) or an image');
    const fromImage = image ? (await this.faceFromImage(image)).record : undefined;
    try {
      return await this.prisma.$transaction(async (tx) => {
        const face = fromImage ?? (await this.takeCached(tx, dto.req_id!));
        await this.refuseEnrolledFace(tx, face);
        if (dto.email && (await this.repository.emailTaken(tx, dto.email)))
          throw new ConflictError(EMAIL_TAKEN);
        const userId = await this.repository.createUser(tx, {
          name: dto.name,
          email: dto.email ?? null,
          birthdate: new Date(`${dto.birthdate}T00:00:00Z`),
        });
        const faceId = await this.repository.insertFace(tx, userId, face);
        return { userId, faceId };
      });
    } catch (error) {
      // Two enrolments with one e-mail at once: the unique index decides, the loser gets the same 409.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
        throw new ConflictError(EMAIL_TAKEN);
      throw error;
    }
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

  private async faceFromImage(image: Uint8Array): Promise<{ record: FaceRecord; metadata: FaceMetadataDto }> {
    const analysed = await this.analysis.analyze(image);
    const { face, metadata } = selectLargestFace(analysed.faces);
    const minSize = this.config.enrollment.minFaceSize;
    if (face.quality.faceSize < minSize) throw new FaceTooSmallError(face.quality.faceSize, minSize);
    return {
      record: {
        embedding: face.embedding,
        model: this.analysis.modelId,
        detectionScore: face.score,
        box: face.box,
        imageSha256: analysed.image.sha256,
      },
      metadata,
    };
  }

  private async takeCached(tx: DbClient, reqId: string): Promise<FaceRecord> {
    const cached = await this.cache.take(tx, reqId);
    // A vector from another model cannot be compared with this model's faces: treat it as gone.
    if (!cached || cached.model !== this.analysis.modelId) {
      throw new NotFoundError('req_id not found: it is unknown, expired or already used');
    }
    return cached;
  }

  /**
   * One person, one user: a face that recognise_user would attribute to another user is refused
   * (the same policy, so a user enrolled here can be recognised rather than shadowed).
   */
  private async refuseEnrolledFace(tx: DbClient, face: FaceRecord, allowedUserId?: string): Promise<void> {
    const nearest = await this.matching.findNearestUsers(
      {
        embedding: face.embedding,
        model: face.model,
        topK: this.config.matching.topK,
        maxDistance: this.policy.searchRadius,
        limit: 2,
      },
      tx,
    );
    const owner = this.policy.decide(nearest).match;
    if (owner && owner.userId !== allowedUserId) {
      throw new ConflictError(`This face is already enrolled as user ${owner.userId}`, {
        user_id: owner.userId,
      });
    }
  }
}
