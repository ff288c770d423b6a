import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { DbClient } from '../infra/database/db-client.js';
import type { EmbeddingSpace } from '../face/model-profile.js';
import { toPgVector, vectorType } from '../infra/database/pgvector.js';
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
  /** Only vectors of this space are compared with the probe. */
  space: EmbeddingSpace;
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

  /** Nearest users to a probe, through the space's HNSW index; vectors of other spaces are never compared. */
  async findNearestUsers(q: NearestQuery, db: DbClient = this.prisma): Promise<UserCandidate[]> {
    const rows = await db.$queryRaw<Array<UserCandidate & { distance: number | string }>>(nearestUsersSql(q));
    return rows.map((r) => ({ ...r, distance: Number(r.distance) }));
  }

  /** Distance from a probe to the closest face of one user, or null when the user has none in this space. */
  async distanceToUser(
    embedding: Float32Array,
    space: EmbeddingSpace,
    userId: string,
  ): Promise<number | null> {
    const rows = await this.prisma.$queryRaw<Array<{ distance: number | null }>>(Prisma.sql`
      SELECT min(e.embedding <=> ${toPgVector(embedding)}::vector)::float8 AS distance
      FROM face_embeddings e JOIN faces f ON f.id = e.face_id
      WHERE f.user_id = ${userId}::uuid AND e.model = ${space.key}`);
    const distance = rows[0]?.distance;
    return distance === null || distance === undefined ? null : Number(distance);
  }
}

/**
 * The nearest-users query (exported so tests can EXPLAIN exactly what runs). The inner query is a
 * plain `ORDER BY <=> LIMIT k` over one space's vectors, cast to that space's `vector(N)` exactly as
 * its partial HNSW index is built, so the index serves it; the distance threshold and the per-user
 * aggregation (a user may have several faces) are applied to those k rows only.
 */
export function nearestUsersSql(q: NearestQuery): Prisma.Sql {
  const probe = toPgVector(q.embedding);
  const type = vectorType(q.space.dimension);
  return Prisma.sql`
    WITH nearest AS (
      SELECT e.face_id, e.embedding::${type} <=> ${probe}::${type} AS distance
      FROM face_embeddings e
      WHERE e.model = ${q.space.key}
      ORDER BY e.embedding::${type} <=> ${probe}::${type}
      LIMIT ${q.topK}
    ), best AS (
      SELECT DISTINCT ON (f.user_id) f.user_id, n.face_id, n.distance
      FROM nearest n JOIN faces f ON f.id = n.face_id
      WHERE n.distance <= ${q.maxDistance}
      ORDER BY f.user_id, n.distance
    )
    SELECT b.user_id AS "userId", b.face_id AS "faceId", b.distance::float8 AS distance,
           u.name, u.email, u.birthdate
    FROM best b JOIN users u ON u.id = b.user_id
    ORDER BY b.distance
    LIMIT ${q.limit}`;
}
