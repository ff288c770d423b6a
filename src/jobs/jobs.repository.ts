import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { DbClient } from '../infra/database/db-client.js';
import { PrismaService } from '../infra/database/prisma.service.js';
import type {
  JobItemError,
  JobItemRecord,
  JobItemStatus,
  JobKind,
  JobRecord,
  JobStatus,
} from './job.types.js';

export interface NewJob {
  kind: JobKind;
  apiKeyId: string | null;
  options: Record<string, unknown>;
  inputBytes: number;
  items: Array<{
    filename: string | null;
    contentType: string | null;
    sha256: string;
    bytes: number;
    input: Record<string, unknown>;
  }>;
}

export interface JobFilter {
  /** Only this key's jobs; undefined: every job (admin). */
  apiKeyId?: string;
  status?: JobStatus;
  kind?: JobKind;
}

/** How long a job may stay unreleased (its uploads being copied in) before cleanup deletes it. */
const UPLOAD_GRACE_SECONDS = 3600;

const JOB_COLUMNS = Prisma.sql`id, kind, status, api_key_id AS "apiKeyId", total, done, failed, options,
  input_bytes::float8 AS "inputBytes", message, created_at AS "createdAt", started_at AS "startedAt",
  finished_at AS "finishedAt", expires_at AS "expiresAt"`;

const ITEM_COLUMNS = Prisma.sql`job_id AS "jobId", seq, status, attempts, filename, content_type AS "contentType",
  sha256, bytes::float8 AS "bytes", input, result, error, started_at AS "startedAt", finished_at AS "finishedAt"`;

/** Jobs and their items as the API reads and changes them (the worker's side is JobQueueRepository). */
@Injectable()
export class JobsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Inserts the job and its items, not yet claimable: the items wait (run_after = infinity) until
   * `release` once their inputs are stored, and the job expires after a grace period if the
   * instance stops before that — so a half-stored job is never worked on and never left behind.
   */
  async insert(job: NewJob): Promise<string> {
    return this.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<Array<{ id: string }>>(Prisma.sql`
        INSERT INTO jobs (kind, api_key_id, total, options, input_bytes, expires_at)
        VALUES (${job.kind}, ${job.apiKeyId}::uuid, ${job.items.length}, ${JSON.stringify(job.options)}::jsonb,
                ${job.inputBytes}, now() + make_interval(secs => ${UPLOAD_GRACE_SECONDS}))
        RETURNING id`);
      const id = row!.id;
      // One statement for every item; run_after 'infinity' keeps them from workers until release().
      const items = job.items.map((item, seq) => ({ seq, ...item }));
      await tx.$executeRaw(Prisma.sql`
        INSERT INTO job_items (job_id, seq, filename, content_type, sha256, bytes, input, run_after)
        SELECT ${id}::uuid, x.seq, x.filename, x."contentType", x.sha256, x.bytes, x.input, 'infinity'
        FROM jsonb_to_recordset(${JSON.stringify(items)}::jsonb)
          AS x(seq int, filename text, "contentType" text, sha256 text, bytes bigint, input jsonb)`);
      return id;
    });
  }

  /** Makes a stored job's items claimable. */
  async release(id: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.$executeRaw`UPDATE job_items SET run_after = now() WHERE job_id = ${id}::uuid`,
      this.prisma.$executeRaw`UPDATE jobs SET expires_at = NULL, updated_at = now() WHERE id = ${id}::uuid`,
    ]);
  }

  async find(id: string): Promise<JobRecord | null> {
    const rows = await this.prisma.$queryRaw<JobRecord[]>(
      Prisma.sql`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ${id}::uuid`,
    );
    return rows[0] ?? null;
  }

  async list(filter: JobFilter, skip: number, take: number): Promise<{ rows: JobRecord[]; total: number }> {
    const where = jobWhere(filter);
    const [rows, count] = await Promise.all([
      this.prisma.$queryRaw<JobRecord[]>(Prisma.sql`
        SELECT ${JOB_COLUMNS} FROM jobs ${where} ORDER BY created_at DESC, id LIMIT ${take} OFFSET ${skip}`),
      this.prisma.$queryRaw<Array<{ n: number }>>(Prisma.sql`SELECT count(*)::int AS n FROM jobs ${where}`),
    ]);
    return { rows, total: count[0]?.n ?? 0 };
  }

  async items(
    jobId: string,
    status: JobItemStatus | undefined,
    skip: number,
    take: number,
  ): Promise<{ rows: JobItemRecord[]; total: number }> {
    const where = status
      ? Prisma.sql`WHERE job_id = ${jobId}::uuid AND status = ${status}`
      : Prisma.sql`WHERE job_id = ${jobId}::uuid`;
    const [rows, count] = await Promise.all([
      this.prisma.$queryRaw<JobItemRecord[]>(Prisma.sql`
        SELECT ${ITEM_COLUMNS} FROM job_items ${where} ORDER BY seq LIMIT ${take} OFFSET ${skip}`),
      this.prisma.$queryRaw<Array<{ n: number }>>(
        Prisma.sql`SELECT count(*)::int AS n FROM job_items ${where}`,
      ),
    ]);
    return { rows, total: count[0]?.n ?? 0 };
  }

  /** Queued or running jobs of a key (the per-key limit). */
  async countActive(apiKeyId: string): Promise<number> {
    const rows = await this.prisma.$queryRaw<Array<{ n: number }>>(Prisma.sql`
      SELECT count(*)::int AS n FROM jobs WHERE api_key_id = ${apiKeyId}::uuid AND status IN ('queued', 'running')`);
    return rows[0]?.n ?? 0;
  }

  /**
   * Cancels an active job: it and its unfinished items become `cancelled` (a worker holding one
   * loses its lease and stops; its result is not written), and their inputs are deleted. Returns
   * false when the job had already ended.
   */
  async cancel(id: string, retentionSeconds: number): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const status = await lockJob(tx, id);
      if (status !== 'queued' && status !== 'running') return false;
      await tx.$executeRaw(Prisma.sql`
        UPDATE job_items SET status = 'cancelled', lease_owner = NULL, lease_until = NULL, finished_at = now(),
                             updated_at = now()
        WHERE job_id = ${id}::uuid AND status IN ('queued', 'running')`);
      await tx.$executeRaw(Prisma.sql`
        DELETE FROM job_inputs WHERE job_id = ${id}::uuid`);
      await tx.$executeRaw(Prisma.sql`
        UPDATE jobs SET status = 'cancelled', message = 'Cancelled', finished_at = now(), updated_at = now(),
                        expires_at = now() + make_interval(secs => ${retentionSeconds})
        WHERE id = ${id}::uuid`);
      return true;
    });
  }

  /** Deletes a job with its items, results and inputs. */
  async delete(id: string): Promise<void> {
    await this.prisma.$executeRaw(Prisma.sql`DELETE FROM jobs WHERE id = ${id}::uuid`);
  }

  /**
   * Deletes up to `batchSize` jobs past their expiry; returns how many went. Expiry is set from
   * the database's clock, so it is compared with the database's clock too.
   */
  async deleteExpired(batchSize: number): Promise<number> {
    return this.prisma.$executeRaw(Prisma.sql`
      DELETE FROM jobs WHERE id IN (
        SELECT id FROM jobs WHERE expires_at <= now() ORDER BY expires_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`);
  }
}

/** Locks a job's row for the rest of the transaction; returns its status (undefined: no such job). */
export async function lockJob(tx: DbClient, id: string): Promise<JobStatus | undefined> {
  const rows = await tx.$queryRaw<Array<{ status: JobStatus }>>(
    Prisma.sql`SELECT status FROM jobs WHERE id = ${id}::uuid FOR UPDATE`,
  );
  return rows[0]?.status;
}

function jobWhere(filter: JobFilter): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (filter.apiKeyId) conditions.push(Prisma.sql`api_key_id = ${filter.apiKeyId}::uuid`);
  if (filter.status) conditions.push(Prisma.sql`status = ${filter.status}`);
  if (filter.kind) conditions.push(Prisma.sql`kind = ${filter.kind}`);
  return conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}`;
}

export type { JobItemError };
