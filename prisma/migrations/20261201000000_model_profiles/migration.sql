-- Model profiles: vectors of any dimension, several embedding spaces side by side, a face crop kept
-- for re-embedding, and the state of a move from one profile to another.

-- One row per (face, embedding space). `dimension` is the vector's length, checked, so that the
-- per-space HNSW index (created by the service for each space, on `embedding::vector(dimension)`
-- WHERE model = the space) can cast every row it covers.
CREATE TABLE "face_embeddings" (
    "face_id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "dimension" INTEGER NOT NULL,
    "embedding" vector NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "face_embeddings_pkey" PRIMARY KEY ("face_id", "model"),
    CONSTRAINT "face_embeddings_face_id_fkey" FOREIGN KEY ("face_id") REFERENCES "faces"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "face_embeddings_dimension_check" CHECK (vector_dims("embedding") = "dimension")
);
CREATE INDEX "face_embeddings_model_idx" ON "face_embeddings"("model");

-- Existing vectors keep their space (the dlib profile's key); the service indexes them at boot.
INSERT INTO "face_embeddings" ("face_id", "model", "dimension", "embedding", "created_at")
SELECT "id", "model", vector_dims("embedding"), "embedding"::vector, "created_at" FROM "faces";

DROP INDEX "faces_embedding_hnsw_idx";
ALTER TABLE "faces" DROP COLUMN "embedding";
ALTER TABLE "faces" DROP COLUMN "model";
-- A JPEG of the face with context (FACE_CROP_SIZE); NULL for faces enrolled before crops existed.
ALTER TABLE "faces" ADD COLUMN "crop" BYTEA;

ALTER TABLE "face_cache" ALTER COLUMN "embedding" TYPE vector;
ALTER TABLE "face_cache" ADD COLUMN "crop" BYTEA;

-- Which embedding space recognition searches. One row; absent until the service first boots.
CREATE TABLE "gallery_state" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    "serving_model" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "gallery_state_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "gallery_state_single_row" CHECK ("id")
);

-- Re-embedding the gallery into another profile's space: progress survives restarts.
CREATE TABLE "reembed_jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "source_model" TEXT NOT NULL,
    "target_model" TEXT NOT NULL,
    "target_profile" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "without_crop" INTEGER NOT NULL DEFAULT 0,
    "switched" BOOLEAN NOT NULL DEFAULT false,
    "allow_incomplete" BOOLEAN NOT NULL DEFAULT false,
    "message" TEXT,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "reembed_jobs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "reembed_jobs_status_check" CHECK ("status" IN ('running', 'completed', 'failed', 'cancelled'))
);
-- At most one job runs at a time.
CREATE UNIQUE INDEX "reembed_jobs_one_running" ON "reembed_jobs" ((true)) WHERE "status" = 'running';

-- Faces a job could not re-embed (no face found in the crop, a corrupt crop): reported, not retried.
CREATE TABLE "reembed_failures" (
    "job_id" UUID NOT NULL,
    "face_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    CONSTRAINT "reembed_failures_pkey" PRIMARY KEY ("job_id", "face_id"),
    CONSTRAINT "reembed_failures_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "reembed_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "reembed_failures_face_id_fkey" FOREIGN KEY ("face_id") REFERENCES "faces"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
