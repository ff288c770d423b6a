import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { DbClient } from '../infra/database/db-client.js';
import { toPgVector } from '../infra/database/pgvector.js';
import { PrismaService } from '../infra/database/prisma.service.js';

export interface UserCandidate {
  userId: string;
  name: string;
  email: string | null;
  birthdate: Date;
  /** Cosine distance of the user's closest face to the probe. */
  distance: number;
  faceId: string;
}

export interface NearestQuery {
  embedding: Float32Array;
  model: string;
  /** Faces fetched by the index before anything else is applied. */
  topK: number;
  /** Faces farther than this (cosine distance) are dropped. */
  maxDistance: number;
  /** Users returned at most. */
  limit: number;
}

/** pgvector search over enrolled faces. All vector SQL of matching lives here. */
@Injectable()
export class MatchingRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Nearest users to a probe. The inner query is a plain `ORDER BY <=> LIMIT k` so the HNSW index
   * serves it; the distance threshold and the per-user aggregation (a user may have several faces)
   * are applied to those k rows only. Faces of other models are never compared.
   */
  async findNearestUsers(q: NearestQuery, db: DbClient = this.prisma): Promise<UserCandidate[]> {
    const probe = toPgVector(q.embedding);
    const rows = await db.$queryRaw<Array<UserCandidate & { distance: number | string }>>(Prisma.sql`
      WITH nearest AS (
        SELECT f.id, f.user_id, f.embedding <=> ${probe}::vector AS distance
        FROM faces f
        WHERE f.model = ${q.model}
        ORDER BY f.embedding <=> ${probe}::vector
        LIMIT ${q.topK}
      ), best AS (
        SELECT DISTINCT ON (user_id) user_id, id AS face_id, distance
        FROM nearest
        WHERE distance <= ${q.maxDistance}
        ORDER BY user_id, distance
      )
      SELECT b.user_id AS "userId", b.face_id AS "faceId", b.distance::float8 AS distance,
             u.name, u.email, u.birthdate
      FROM best b JOIN users u ON u.id = b.user_id
      ORDER BY b.distance
      LIMIT ${q.limit}`);
    return rows.map((r) => ({ ...r, distance: Number(r.distance) }));
  }

  /** Distance from a probe to the closest face of one user, or null when the user has none of this model. */
  async distanceToUser(embedding: Float32Array, model: string, userId: string): Promise<number | null> {
    const rows = await this.prisma.$queryRaw<Array<{ distance: number | null }>>(Prisma.sql`
      SELECT min(embedding <=> ${toPgVector(embedding)}::vector)::float8 AS distance
      FROM faces WHERE user_id = ${userId}::uuid AND model = ${model}`);
    const distance = rows[0]?.distance;
    return distance === null || distance === undefined ? null : Number(distance);
  }
}
