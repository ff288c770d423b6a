import { Injectable } from '@nestjs/common';
import { ConflictError } from '../../common/domain-error.js';
import { Prisma, type ReembedJob } from '../../generated/prisma/client.js';
import { PrismaService } from '../../infra/database/prisma.service.js';
import { isUniqueViolation } from '../../infra/database/unique-violation.js';

export type { ReembedJob };

export interface NewReembedJob {
  sourceModel: string;
  targetModel: string;
  targetProfile: string;
  total: number;
  withoutCrop: number;
  allowIncomplete: boolean;
}

export interface PendingFace {
  id: string;
  crop: Uint8Array;
}

export interface ReembedFailureRow {
  faceId: string;
  userId: string;
  reason: string;
}

/** Re-embedding jobs: their rows, the faces still to do, failures, and who would be left without a vector. */
@Injectable()
export class ReembedRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Refused with 409 while another job runs (a unique index admits one running row). */
  async create(job: NewReembedJob): Promise<ReembedJob> {
    try {
      return await this.prisma.reembedJob.create({ data: { ...job, status: 'running' } });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError('A re-embedding job is already running; cancel it or wait for it');
      }
      throw error;
    }
  }

  find(id: string): Promise<ReembedJob | null> {
    return this.prisma.reembedJob.findUnique({ where: { id } });
  }

  latest(): Promise<ReembedJob | null> {
    return this.prisma.reembedJob.findFirst({ orderBy: { createdAt: 'desc' } });
  }

  running(): Promise<ReembedJob | null> {
    return this.prisma.reembedJob.findFirst({ where: { status: 'running' } });
  }

  /**
   * Takes or renews the job's lease for `seconds`: true when this owner may work on it. A lease
   * whose holder stopped renewing (a crashed instance) expires and is taken over.
   */
  async claim(id: string, owner: string, seconds: number): Promise<boolean> {
    const claimed = await this.prisma.$executeRaw(Prisma.sql`
      UPDATE reembed_jobs SET lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${seconds}),
                              updated_at = now()
      WHERE id = ${id}::uuid AND status = 'running'
        AND (lease_owner IS NULL OR lease_owner = ${owner} OR lease_until < now())`);
    return claimed === 1;
  }

  /** Gives the lease up (a clean shutdown), so the next instance to start resumes the job at once. */
  async release(id: string, owner: string): Promise<void> {
    await this.prisma.reembedJob.updateMany({
      where: { id, leaseOwner: owner },
      data: { leaseOwner: null, leaseUntil: null },
    });
  }

  /** Faces with a crop and no vector in the target space that this job has not failed on yet. */
  async pending(job: ReembedJob, limit: number): Promise<PendingFace[]> {
    return this.prisma.$queryRaw<PendingFace[]>(Prisma.sql`
      SELECT f.id, f.crop FROM faces f
      WHERE f.crop IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM face_embeddings e WHERE e.face_id = f.id AND e.model = ${job.targetModel})
        AND NOT EXISTS (SELECT 1 FROM reembed_failures r WHERE r.job_id = ${job.id}::uuid AND r.face_id = f.id)
      ORDER BY f.created_at, f.id
      LIMIT ${limit}`);
  }

  async recordFailure(jobId: string, faceId: string, reason: string): Promise<void> {
    await this.prisma.$executeRaw(Prisma.sql`
      INSERT INTO reembed_failures (job_id, face_id, reason) VALUES (${jobId}::uuid, ${faceId}::uuid, ${reason})
      ON CONFLICT DO NOTHING`);
  }

  async addProgress(id: string, done: number, failed: number): Promise<void> {
    await this.prisma.$executeRaw(Prisma.sql`
      UPDATE reembed_jobs SET done = done + ${done}, failed = failed + ${failed}, updated_at = now()
      WHERE id = ${id}::uuid`);
  }

  /** Ends a running job; false when it had already ended (cancelled meanwhile). */
  async finish(
    id: string,
    status: 'completed' | 'failed' | 'cancelled',
    message: string | null,
    switched = false,
  ): Promise<boolean> {
    const { count } = await this.prisma.reembedJob.updateMany({
      where: { id, status: 'running' },
      data: { status, message, switched, finishedAt: new Date(), updatedAt: new Date(), leaseUntil: null },
    });
    return count === 1;
  }

  failures(jobId: string, limit: number): Promise<ReembedFailureRow[]> {
    return this.prisma.$queryRaw<ReembedFailureRow[]>(Prisma.sql`
      SELECT r.face_id AS "faceId", f.user_id AS "userId", r.reason
      FROM reembed_failures r JOIN faces f ON f.id = r.face_id
      WHERE r.job_id = ${jobId}::uuid ORDER BY f.user_id, r.face_id LIMIT ${limit}`);
  }

  /** Users with faces, none of which has a vector in `model`: recognition in that space would miss them. */
  async usersWithout(model: string, limit: number): Promise<{ count: number; sample: string[] }> {
    const rows = await this.prisma.$queryRaw<Array<{ user_id: string; total: bigint }>>(Prisma.sql`
      SELECT f.user_id, count(*) OVER () AS total FROM faces f
      GROUP BY f.user_id
      HAVING bool_and(NOT EXISTS (SELECT 1 FROM face_embeddings e WHERE e.face_id = f.id AND e.model = ${model}))
      ORDER BY f.user_id LIMIT ${limit}`);
    return { count: Number(rows[0]?.total ?? 0), sample: rows.map((r) => r.user_id) };
  }
}
