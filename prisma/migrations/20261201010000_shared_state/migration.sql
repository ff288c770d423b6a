-- State several API instances on one database must share.

-- Rate-limit counters (RATE_LIMIT_STORE=database): a sliding-window counter per caller and tier —
-- the current and previous fixed window's counts. UNLOGGED: no WAL for a hot, disposable table
-- (after a crash the limits simply start afresh).
CREATE UNLOGGED TABLE "rate_limits" (
    "key" TEXT NOT NULL,
    "window" BIGINT NOT NULL,
    "current" INTEGER NOT NULL,
    "previous" INTEGER NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "rate_limits_expires_at_idx" ON "rate_limits"("expires_at");

-- Periodic jobs that must run once per interval whatever the number of instances: an instance runs
-- the job only if it is the one that moves last_run_at forward.
CREATE TABLE "scheduled_runs" (
    "name" TEXT NOT NULL,
    "last_run_at" TIMESTAMPTZ(3) NOT NULL,
    "run_by" TEXT,
    CONSTRAINT "scheduled_runs_pkey" PRIMARY KEY ("name")
);
