import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../infra/database/prisma.service.js';

export interface StoredEncoding {
  result: Record<string, unknown>;
  createdAt: Date;
}

/** Face encodings by file hash and embedding space. */
@Injectable()
export class EncodingsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The stored encodings of a file, marking them used (retention counts from the last use). */
  async find(sha256: string, model: string): Promise<StoredEncoding | null> {
    const rows = await this.prisma.$queryRaw<StoredEncoding[]>(Prisma.sql`
      UPDATE encodings SET last_used_at = now() WHERE sha256 = ${sha256} AND model = ${model}
      RETURNING result, created_at AS "createdAt"`);
    return rows[0] ?? null;
  }

  /** Stores a file's encodings; a concurrent upload of the same file keeps the first result. */
  async save(sha256: string, model: string, result: Record<string, unknown>): Promise<StoredEncoding> {
    const rows = await this.prisma.$queryRaw<StoredEncoding[]>(Prisma.sql`
      INSERT INTO encodings AS e (sha256, model, result) VALUES (${sha256}, ${model}, ${JSON.stringify(result)}::jsonb)
      ON CONFLICT (sha256, model) DO UPDATE SET last_used_at = now()
      RETURNING e.result, e.created_at AS "createdAt"`);
    return rows[0]!;
  }

  /** Deletes up to `batchSize` encodings unused for `seconds` (database clock); returns how many went. */
  async deleteUnusedFor(seconds: number, batchSize: number): Promise<number> {
    return this.prisma.$executeRaw(Prisma.sql`
      DELETE FROM encodings WHERE (sha256, model) IN (
        SELECT sha256, model FROM encodings WHERE last_used_at < now() - make_interval(secs => ${seconds})
        ORDER BY last_used_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`);
  }
}
