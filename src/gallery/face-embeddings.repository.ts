import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { EmbeddingSpace } from '../face/model-profile.js';
import type { DbClient } from '../infra/database/db-client.js';
import { toPgVector } from '../infra/database/pgvector.js';
import { PrismaService } from '../infra/database/prisma.service.js';

export interface SpaceVector {
  space: EmbeddingSpace;
  embedding: Float32Array;
}

/** The vectors of enrolled faces, one row per face and embedding space. */
@Injectable()
export class FaceEmbeddingsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(faceId: string, { space, embedding }: SpaceVector, db: DbClient = this.prisma): Promise<void> {
    if (embedding.length !== space.dimension) {
      throw new RangeError(
        `A ${embedding.length}-D vector cannot go into ${space.key} (${space.dimension}-D)`,
      );
    }
    await db.$executeRaw(Prisma.sql`
      INSERT INTO face_embeddings (face_id, model, dimension, embedding)
      VALUES (${faceId}::uuid, ${space.key}, ${space.dimension}, ${toPgVector(embedding)}::vector)
      ON CONFLICT (face_id, model) DO NOTHING`);
  }

  /** The spaces each face has a vector in. */
  async modelsOf(faceIds: string[]): Promise<Map<string, string[]>> {
    const rows = await this.prisma.faceEmbedding.findMany({
      where: { faceId: { in: faceIds } },
      select: { faceId: true, model: true },
      orderBy: { createdAt: 'asc' },
    });
    const byFace = new Map<string, string[]>();
    for (const row of rows) byFace.set(row.faceId, [...(byFace.get(row.faceId) ?? []), row.model]);
    return byFace;
  }
}
