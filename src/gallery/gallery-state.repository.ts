import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { DbClient } from '../infra/database/db-client.js';
import { PrismaService } from '../infra/database/prisma.service.js';

export interface SpaceCoverage {
  /** Enrolled faces. */
  faces: number;
  /** Faces with a vector in the space. */
  covered: number;
  /** Faces without one that have a crop to compute it from. */
  pending: number;
  /** Faces without one and without a crop (enrolled before crops were kept). */
  withoutCrop: number;
}

/** The single row saying which embedding space recognition searches, and how complete spaces are. */
@Injectable()
export class GalleryStateRepository {
  constructor(private readonly prisma: PrismaService) {}

  async servingModel(db: DbClient = this.prisma): Promise<string | null> {
    const row = await db.galleryState.findUnique({ where: { id: true } });
    return row?.servingModel ?? null;
  }

  async setServingModel(model: string, db: DbClient = this.prisma): Promise<void> {
    await db.galleryState.upsert({
      where: { id: true },
      create: { id: true, servingModel: model },
      update: { servingModel: model, updatedAt: new Date() },
    });
  }

  /**
   * The space most enrolled faces have a vector in: how a database from before profiles (no state
   * row yet) tells which model its gallery was built with. Null for an empty gallery.
   */
  async mostUsedModel(): Promise<string | null> {
    const rows = await this.prisma.$queryRaw<Array<{ model: string }>>(Prisma.sql`
      SELECT model FROM face_embeddings GROUP BY model ORDER BY count(*) DESC, model LIMIT 1`);
    return rows[0]?.model ?? null;
  }

  async coverage(model: string, db: DbClient = this.prisma): Promise<SpaceCoverage> {
    const rows = await db.$queryRaw<Array<Record<keyof SpaceCoverage, bigint>>>(Prisma.sql`
      SELECT count(*) AS faces,
             count(*) FILTER (WHERE e.face_id IS NOT NULL) AS covered,
             count(*) FILTER (WHERE e.face_id IS NULL AND f.crop IS NOT NULL) AS pending,
             count(*) FILTER (WHERE e.face_id IS NULL AND f.crop IS NULL) AS "withoutCrop"
      FROM faces f LEFT JOIN face_embeddings e ON e.face_id = f.id AND e.model = ${model}`);
    const row = rows[0];
    return {
      faces: Number(row?.faces ?? 0),
      covered: Number(row?.covered ?? 0),
      pending: Number(row?.pending ?? 0),
      withoutCrop: Number(row?.withoutCrop ?? 0),
    };
  }
}
