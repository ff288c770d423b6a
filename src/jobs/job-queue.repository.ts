import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { DbClient } from '../infra/database/db-client.js';
import { PrismaService } from '../infra/database/prisma.service.js';
import type { ClaimedItem, JobItemError, JobStatus } from './job.types.js';
import { lockJob } from './jobs.repository.js';

export interface ItemRef {
  jobId: string;
  seq: number;
}

/** The item's lease was lost (the job was cancelled or deleted, or another worker took it over). */
export class LeaseLostError extends Error {
  constructor(item: ItemRef) {
    super(`Job ${item.jobId} item ${item.seq} is no longer held by this worker`);
    this.name = 'LeaseLostError';
  }
}

/**
 * The queue as workers see it: claiming items (FOR UPDATE SKIP LOCKED, so workers on several
 * instances never take the same one), renewing leases, and ending items. Every change of an item
 * is conditioned on this worker still holding its lease, and ending one recomputes the job's
 * counts under the job's row lock, so concurrent completions cannot miss each other.
 */
@Injectable()
export class JobQueueRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims up to `limit` queued items whose retry time has come, lowest position first across
   * jobs — a job created behind a large one starts at once instead of waiting for it to drain.
   */
  async claim(owner: string, limit: number, leaseSeconds: number): Promise<ClaimedItem[]> {
    const rows = await this.prisma.$queryRaw<Array<ClaimedItem & { bytes: number }>>(Prisma.sql`
      WITH picked AS (
        SELECT i.job_id, i.seq FROM job_items i JOIN jobs j ON j.id = i.job_id
        WHERE i.status = 'queued' AND i.run_after <= now() AND j.status IN ('queued', 'running')
        ORDER BY i.seq, j.created_at
        LIMIT ${limit}
        FOR UPDATE OF i SKIP LOCKED
      )
      UPDATE job_items i SET status = 'running', attempts = i.attempts + 1, lease_owner = ${owner},
                             lease_until = now() + make_interval(secs => ${leaseSeconds}),
                             started_at = coalesce(i.started_at, now()), updated_at = now()
      FROM picked p, jobs j
      WHERE i.job_id = p.job_id AND i.seq = p.seq AND j.id = i.job_id
      RETURNING i.job_id AS "jobId", i.seq, j.kind, i.attempts, i.filename, i.sha256, i.bytes::float8 AS bytes,
                i.input, j.options`);
    const jobIds = [...new Set(rows.map((r) => r.jobId))];
    if (jobIds.length > 0) {
      await this.prisma.$executeRaw(Prisma.sql`
        UPDATE jobs SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now()
        WHERE id IN (${Prisma.join(jobIds.map((id) => Prisma.sql`${id}::uuid`))}) AND status = 'queued'`);
    }
    return rows;
  }

  /** Renews the leases of everything `owner` holds; returns the items it still holds. */
  async heartbeat(owner: string, leaseSeconds: number): Promise<ItemRef[]> {
    return this.prisma.$queryRaw<ItemRef[]>(Prisma.sql`
      UPDATE job_items SET lease_until = now() + make_interval(secs => ${leaseSeconds})
      WHERE lease_owner = ${owner} AND status = 'running'
      RETURNING job_id AS "jobId", seq`);
  }

  /**
   * Ends an item (completed with its result, or failed with its error) and deletes its input, in
   * `tx` when given — a processor passes its own transaction so that what it wrote and the item's
   * completion commit together. Throws LeaseLostError (rolling that transaction back) when this
   * worker no longer holds the item. Returns the job's status afterwards.
   */
  async finish(
    item: ItemRef,
    owner: string,
    outcome: { result: unknown } | { error: JobItemError },
    retentionSeconds: number,
    tx?: DbClient,
  ): Promise<JobStatus> {
    const run = async (db: DbClient) => {
      await lockJob(db, item.jobId);
      const status = 'result' in outcome ? 'completed' : 'failed';
      const updated = await db.$executeRaw(Prisma.sql`
        UPDATE job_items SET status = ${status},
                             result = ${'result' in outcome ? JSON.stringify(outcome.result) : null}::jsonb,
                             error = ${'error' in outcome ? JSON.stringify(outcome.error) : null}::jsonb,
                             lease_owner = NULL, lease_until = NULL, finished_at = now(), updated_at = now()
        WHERE job_id = ${item.jobId}::uuid AND seq = ${item.seq} AND lease_owner = ${owner} AND status = 'running'`);
      if (updated !== 1) throw new LeaseLostError(item);
      await db.$executeRaw(Prisma.sql`
        DELETE FROM job_inputs WHERE job_id = ${item.jobId}::uuid AND seq = ${item.seq}`);
      return refreshJob(db, item.jobId, retentionSeconds);
    };
    return tx ? run(tx) : this.prisma.$transaction(run);
  }

  /** Puts an item back in the queue to be tried again after `delayMs`, keeping the last error. */
  async retryLater(item: ItemRef, owner: string, delayMs: number, error: JobItemError): Promise<boolean> {
    const updated = await this.prisma.$executeRaw(Prisma.sql`
      UPDATE job_items SET status = 'queued', run_after = now() + make_interval(secs => ${delayMs / 1000}),
                           error = ${JSON.stringify(error)}::jsonb, lease_owner = NULL, lease_until = NULL,
                           updated_at = now()
      WHERE job_id = ${item.jobId}::uuid AND seq = ${item.seq} AND lease_owner = ${owner} AND status = 'running'`);
    return updated === 1;
  }

  /**
   * Hands items back without counting the attempt (a clean shutdown): the next worker to look
   * takes them at once.
   */
  async release(items: ItemRef[], owner: string): Promise<void> {
    for (const item of items) {
      await this.prisma.$executeRaw(Prisma.sql`
        UPDATE job_items SET status = 'queued', attempts = greatest(attempts - 1, 0), run_after = now(),
                             lease_owner = NULL, lease_until = NULL, updated_at = now()
        WHERE job_id = ${item.jobId}::uuid AND seq = ${item.seq} AND lease_owner = ${owner} AND status = 'running'`);
    }
  }

  /**
   * Items whose worker stopped renewing its lease (killed, or the instance lost the database):
   * those with attempts left go back to the queue; the others are returned, for the caller to
   * fail — an input that crashes its worker every time must not be retried forever.
   */
  async reclaimExpired(maxAttempts: number): Promise<ItemRef[]> {
    await this.prisma.$executeRaw(Prisma.sql`
      UPDATE job_items SET status = 'queued', run_after = now(), lease_owner = NULL, lease_until = NULL,
                           updated_at = now()
      WHERE status = 'running' AND lease_until < now() AND attempts < ${maxAttempts}`);
    return this.prisma.$queryRaw<ItemRef[]>(Prisma.sql`
      SELECT job_id AS "jobId", seq FROM job_items
      WHERE status = 'running' AND lease_until < now() AND attempts >= ${maxAttempts}`);
  }

  /** Fails an item whose lease expired on its last attempt (see `reclaimExpired`). */
  async failExpired(item: ItemRef, error: JobItemError, retentionSeconds: number): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await lockJob(tx, item.jobId);
      const updated = await tx.$executeRaw(Prisma.sql`
        UPDATE job_items SET status = 'failed', error = ${JSON.stringify(error)}::jsonb, lease_owner = NULL,
                             lease_until = NULL, finished_at = now(), updated_at = now()
        WHERE job_id = ${item.jobId}::uuid AND seq = ${item.seq} AND status = 'running' AND lease_until < now()`);
      if (updated !== 1) return;
      await tx.$executeRaw(Prisma.sql`
        DELETE FROM job_inputs WHERE job_id = ${item.jobId}::uuid AND seq = ${item.seq}`);
      await refreshJob(tx, item.jobId, retentionSeconds);
    });
  }

  /** Items waiting and being worked on, for the metrics. */
  async depth(): Promise<{ queued: number; running: number }> {
    const rows = await this.prisma.$queryRaw<Array<{ queued: number; running: number }>>(Prisma.sql`
      SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
             count(*) FILTER (WHERE status = 'running')::int AS running
      FROM job_items WHERE status IN ('queued', 'running')`);
    return rows[0] ?? { queued: 0, running: 0 };
  }
}

/**
 * Recounts a job's finished items (the caller holds the job's row lock, so the count includes
 * every item ended before) and ends the job once none is left: `completed` when at least one item
 * succeeded, `failed` when all failed. Ended jobs are kept for `retentionSeconds`.
 */
async function refreshJob(db: DbClient, jobId: string, retentionSeconds: number): Promise<JobStatus> {
  const rows = await db.$queryRaw<Array<{ status: JobStatus }>>(Prisma.sql`
    WITH c AS (
      SELECT count(*) FILTER (WHERE status = 'completed')::int AS done,
             count(*) FILTER (WHERE status = 'failed')::int AS failed
      FROM job_items WHERE job_id = ${jobId}::uuid
    ), next AS (
      SELECT j.id, c.done, c.failed,
             CASE WHEN j.status IN ('queued', 'running') AND c.done + c.failed >= j.total
                  THEN CASE WHEN c.done = 0 THEN 'failed' ELSE 'completed' END END AS ended
      FROM jobs j, c WHERE j.id = ${jobId}::uuid
    )
    UPDATE jobs j SET done = n.done, failed = n.failed, updated_at = now(),
                      status = coalesce(n.ended, j.status),
                      finished_at = CASE WHEN n.ended IS NULL THEN j.finished_at ELSE now() END,
                      expires_at = CASE WHEN n.ended IS NULL THEN j.expires_at
                                        ELSE now() + make_interval(secs => ${retentionSeconds}) END,
                      message = CASE WHEN n.ended = 'failed' THEN 'Every item failed; see the items for why'
                                     ELSE j.message END
    FROM next n WHERE j.id = n.id
    RETURNING j.status`);
  return rows[0]?.status ?? 'cancelled';
}
