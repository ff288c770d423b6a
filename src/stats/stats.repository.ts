import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { fromPgVector } from '../infra/database/pgvector.js';
import { PrismaService } from '../infra/database/prisma.service.js';

export interface GalleryCounts {
  users: number;
  faces: number;
}

@Injectable()
export class StatsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async counts(): Promise<GalleryCounts> {
    const [users, faces] = await this.prisma.$transaction([
      this.prisma.user.count(),
      this.prisma.face.count(),
    ]);
    return { users, faces };
  }

  /**
   * Component-wise mean of one space's face vectors, computed by pgvector's `avg(vector)` in the
   * database, so no vector is loaded into the service. Null when there are no faces.
   */
  async meanEmbedding(model: string): Promise<Float32Array | null> {
    const rows = await this.prisma.$queryRaw<Array<{ mean: string | null }>>(
      Prisma.sql`SELECT avg(embedding)::text AS mean FROM face_embeddings WHERE model = ${model}`,
    );
    const mean = rows[0]?.mean;
    return mean ? fromPgVector(mean) : null;
  }
}
