import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { Box } from '../face/face.types.js';
import type { DbClient } from '../infra/database/db-client.js';
import { toPgVector } from '../infra/database/pgvector.js';

export interface FaceRecord {
  embedding: Float32Array;
  model: string;
  detectionScore: number;
  box: Box;
  imageSha256: string;
}

export interface NewUser {
  name: string;
  email: string | null;
  birthdate: Date;
}

/** Writes users and their face vectors; every method runs in the caller's transaction. */
@Injectable()
export class EnrollmentRepository {
  async emailTaken(db: DbClient, email: string): Promise<boolean> {
    return (await db.user.count({ where: { email } })) > 0;
  }

  async userExists(db: DbClient, userId: string): Promise<boolean> {
    return (await db.user.count({ where: { id: userId } })) > 0;
  }

  async createUser(db: DbClient, user: NewUser): Promise<string> {
    const created = await db.user.create({ data: user, select: { id: true } });
    return created.id;
  }

  async insertFace(db: DbClient, userId: string, face: FaceRecord): Promise<string> {
    const rows = await db.$queryRaw<Array<{ id: string }>>(Prisma.sql`
      INSERT INTO faces (user_id, embedding, model, detection_score, box, image_sha256, updated_at)
      VALUES (${userId}::uuid, ${toPgVector(face.embedding)}::vector, ${face.model}, ${face.detectionScore},
              ${JSON.stringify(face.box)}::jsonb, ${face.imageSha256}, now())
      RETURNING id`);
    return rows[0]!.id;
  }
}
