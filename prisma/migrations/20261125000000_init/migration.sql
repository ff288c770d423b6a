-- Initial schema: users, their faces (128-D embeddings), the cache of unmatched faces, API keys.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE "users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "email" TEXT,
    "birthdate" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");
CREATE INDEX "users_name_idx" ON "users"("name");

CREATE TABLE "faces" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "embedding" vector(128) NOT NULL,
    "model" TEXT NOT NULL,
    "detection_score" REAL NOT NULL,
    "box" JSONB NOT NULL,
    "image_sha256" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "faces_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "faces_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "faces_user_id_idx" ON "faces"("user_id");
CREATE INDEX "faces_image_sha256_idx" ON "faces"("image_sha256");
-- Cosine HNSW index: nearest-neighbour search orders by `embedding <=> $probe` and reads this index.
CREATE INDEX "faces_embedding_hnsw_idx" ON "faces" USING hnsw ("embedding" vector_cosine_ops) WITH (m = 16, ef_construction = 64);

CREATE TABLE "face_cache" (
    "req_id" TEXT NOT NULL,
    "embedding" vector(128) NOT NULL,
    "model" TEXT NOT NULL,
    "detection_score" REAL NOT NULL,
    "box" JSONB NOT NULL,
    "image_sha256" CHAR(64) NOT NULL,
    "metadata" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "face_cache_pkey" PRIMARY KEY ("req_id")
);
CREATE INDEX "face_cache_expires_at_idx" ON "face_cache"("expires_at");

CREATE TABLE "api_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" CHAR(64) NOT NULL,
    "scopes" TEXT[],
    "rate_limit_per_minute" INTEGER,
    "inference_limit_per_minute" INTEGER,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

CREATE TABLE "counters" (
    "name" TEXT NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "counters_pkey" PRIMARY KEY ("name")
);
