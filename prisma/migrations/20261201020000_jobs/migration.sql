-- Asynchronous jobs (batch enrolment, batch recognition, video analysis) and face encodings kept
-- by file hash.

-- One row per job. `done` and `failed` count final items and are recomputed from job_items under
-- the job's row lock whenever an item ends, so they cannot drift. `api_key_id` is the key that
-- created the job: a key sees its own jobs, an admin key all of them.
CREATE TABLE "jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "api_key_id" UUID,
    "total" INTEGER NOT NULL,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "options" JSONB NOT NULL DEFAULT '{}',
    "input_bytes" BIGINT NOT NULL DEFAULT 0,
    "message" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- When the retention cleanup deletes the job (set when it ends).
    "expires_at" TIMESTAMPTZ(3),
    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "jobs_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "jobs_kind_check" CHECK ("kind" IN ('enrolment', 'recognition', 'video')),
    CONSTRAINT "jobs_status_check" CHECK ("status" IN ('queued', 'running', 'completed', 'failed', 'cancelled'))
);
CREATE INDEX "jobs_api_key_id_created_at_idx" ON "jobs"("api_key_id", "created_at" DESC);
CREATE INDEX "jobs_created_at_idx" ON "jobs"("created_at" DESC);
CREATE INDEX "jobs_expires_at_idx" ON "jobs"("expires_at") WHERE "expires_at" IS NOT NULL;

-- One row per photo or video of a job: its input data, state, lease, result or error. Workers claim
-- rows with FOR UPDATE SKIP LOCKED and hold a lease they renew; a row whose lease expired (its
-- worker died) is claimed again, up to the attempt limit.
CREATE TABLE "job_items" (
    "job_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "run_after" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "filename" TEXT,
    "content_type" TEXT,
    "sha256" CHAR(64) NOT NULL,
    "bytes" BIGINT NOT NULL,
    "input" JSONB NOT NULL DEFAULT '{}',
    "result" JSONB,
    "error" JSONB,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "job_items_pkey" PRIMARY KEY ("job_id", "seq"),
    CONSTRAINT "job_items_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "job_items_status_check" CHECK ("status" IN ('queued', 'running', 'completed', 'failed', 'cancelled'))
);
-- Claiming takes the lowest seq first across jobs, so concurrent jobs advance side by side.
CREATE INDEX "job_items_queued_idx" ON "job_items"("seq", "run_after") WHERE "status" = 'queued';
CREATE INDEX "job_items_lease_idx" ON "job_items"("lease_until") WHERE "status" = 'running';

-- The uploaded bytes of each item, in chunks of at most 1 MiB, until the item ends. In the
-- database rather than on disk: every instance on the database (worker-only ones on other hosts
-- included) can read them, they commit together with the job, and a video is read back chunk by
-- chunk, never whole.
CREATE TABLE "job_inputs" (
    "job_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "chunk" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    CONSTRAINT "job_inputs_pkey" PRIMARY KEY ("job_id", "seq", "chunk"),
    CONSTRAINT "job_inputs_item_fkey" FOREIGN KEY ("job_id", "seq") REFERENCES "job_items"("job_id", "seq") ON DELETE CASCADE ON UPDATE CASCADE
);

-- The face encodings of a file, by the file's SHA-256 and the embedding space that produced them:
-- the same file posted again is answered from here without running the models.
CREATE TABLE "encodings" (
    "sha256" CHAR(64) NOT NULL,
    "model" TEXT NOT NULL,
    "result" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "encodings_pkey" PRIMARY KEY ("sha256", "model")
);
CREATE INDEX "encodings_last_used_at_idx" ON "encodings"("last_used_at");
