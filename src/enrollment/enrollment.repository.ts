import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { Box } from '../face/face.types.js';
import { FaceEmbeddingsRepository, type SpaceVector } from '../gallery/face-embeddings.repository.js';
import { bytes } from '../infra/database/bytes.js';
import type { DbClient } from '../infra/database/db-client.js';
import { isUniqueViolation } from '../infra/database/unique-violation.js';
import { EmailTakenError } from '../users/user.errors.js';

/** A face about to be stored: where it was found, its crop, and its vector in each space in use. */
export interface NewFace {
  detectionScore: number;
  box: Box;
  imageSha256: string;
  crop: Uint8Array | null;
  /** The serving space's vector first. */
  vectors: SpaceVector[];
}

export interface NewUser {
  name: string;
  email: string | null;
  birthdate: Date;
}

/** Writes users, their faces and the faces' vectors; every method runs in the caller's transaction. */
@Injectable()
export class EnrollmentRepository {
  constructor(private readonly vectors: FaceEmbeddingsRepository) {}

  async emailTaken(db: DbClient, email: string): Promise<boolean> {
    return (await db.user.count({ where: { email } })) > 0;
  }

  async userExists(db: DbClient, userId: string): Promise<boolean> {
    return (await db.user.count({ where: { id: userId } })) > 0;
  }

  /** `EmailTakenError` when another user has the e-mail (two enrolments racing: the index decides). */
  async createUser(db: DbClient, user: NewUser): Promise<string> {
    try {
      const created = await db.user.create({ data: user, select: { id: true } });
      return created.id;
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }

  async insertFace(db: DbClient, userId: string, face: NewFace): Promise<string> {
    const rows = await db.$queryRaw<Array<{ id: string }>>(Prisma.sql`
      INSERT INTO faces (user_id, detection_score, box, image_sha256, crop, updated_at)
      VALUES (${userId}::uuid, ${face.detectionScore}, ${JSON.stringify(face.box)}::jsonb, ${face.imageSha256},
              ${bytes(face.crop)}, now())
      RETURNING id`);
    const faceId = rows[0]!.id;
    for (const vector of face.vectors) await this.vectors.insert(faceId, vector, db);
    return faceId;
  }
}
