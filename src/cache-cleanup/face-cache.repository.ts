import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { DbClient } from '../infra/database/db-client.js';
import { fromPgVector, toPgVector } from '../infra/database/pgvector.js';
import { PrismaService } from '../infra/database/prisma.service.js';
import type { Box } from '../face/face.types.js';
import { bytes } from '../infra/database/bytes.js';

export interface CachedFaceEntry {
  reqId: string;
  embedding: Float32Array;
  model: string;
  detectionScore: number;
  box: Box;
  imageSha256: string;
  /** JPEG of the face with context (see FACE_CROP_SIZE); null when crops are off. */
  crop: Uint8Array | null;
  metadata: Record<string, unknown>;
  expiresAt: Date;
}

/** A row as read back: pgvector's text form in place of the vector. */
type CachedFaceRow = Omit<CachedFaceEntry, 'embedding' | 'crop'> & {
  embedding: string;
  crop: Uint8Array | null;
};

const COLUMNS = Prisma.sql`req_id AS "reqId", embedding::text AS embedding, model, detection_score AS "detectionScore",
  box, image_sha256 AS "imageSha256", crop, metadata, expires_at AS "expiresAt"`;

function entry(row: CachedFaceRow): CachedFaceEntry {
  return { ...row, embedding: fromPgVector(row.embedding), crop: row.crop && new Uint8Array(row.crop) };
}

/** The table of unmatched faces waiting to be enrolled by `req_id`. */
@Injectable()
export class FaceCacheRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(entry: CachedFaceEntry): Promise<void> {
    await this.prisma.$executeRaw(Prisma.sql`
      INSERT INTO face_cache (req_id, embedding, model, detection_score, box, image_sha256, crop, metadata, expires_at)
      VALUES (${entry.reqId}, ${toPgVector(entry.embedding)}::vector, ${entry.model}, ${entry.detectionScore},
              ${JSON.stringify(entry.box)}::jsonb, ${entry.imageSha256}, ${bytes(entry.crop)},
              ${JSON.stringify(entry.metadata)}::jsonb, ${entry.expiresAt})`);
  }

  /**
   * Removes a live entry and returns it, in the caller's transaction. Deleting (rather than
   * reading) is what makes a `req_id` single-use: of two concurrent enrolments only one gets the row.
   */
  async take(db: DbClient, reqId: string, now: Date): Promise<CachedFaceEntry | null> {
    const rows = await db.$queryRaw<CachedFaceRow[]>(Prisma.sql`
      DELETE FROM face_cache WHERE req_id = ${reqId} AND expires_at > ${now}
      RETURNING ${COLUMNS}`);
    return rows[0] ? entry(rows[0]) : null;
  }

  async peek(reqId: string, now: Date): Promise<CachedFaceEntry | null> {
    const rows = await this.prisma.$queryRaw<CachedFaceRow[]>(Prisma.sql`
      SELECT ${COLUMNS} FROM face_cache WHERE req_id = ${reqId} AND expires_at > ${now}`);
    return rows[0] ? entry(rows[0]) : null;
  }

  /** Deletes up to `batchSize` expired entries; returns how many went. */
  async deleteExpired(now: Date, batchSize: number): Promise<number> {
    return this.prisma.$executeRaw(Prisma.sql`
      DELETE FROM face_cache WHERE req_id IN (
        SELECT req_id FROM face_cache WHERE expires_at <= ${now}
        ORDER BY expires_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`);
  }

  async countLive(now: Date): Promise<number> {
    const rows = await this.prisma.$queryRaw<Array<{ count: bigint }>>(
      Prisma.sql`SELECT count(*) AS count FROM face_cache WHERE expires_at > ${now}`,
    );
    return Number(rows[0]?.count ?? 0);
  }
}
