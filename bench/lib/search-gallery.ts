import { createHash, randomUUID } from 'node:crypto';
import type { EmbeddingSpace } from '../../src/face/model-profile.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { toPgVector } from '../../src/infra/database/pgvector.js';
import type { PrismaService } from '../../src/infra/database/prisma.service.js';
import {
  type MatchingRepository,
  nearestUsersSql,
  type UserCandidate,
} from '../../src/matching/matching.repository.js';
import { progress } from './report.js';
import { msSince } from './stats.js';
import { cosineDistance, type SyntheticFace } from './synthetic-faces.js';

/** Helpers of bench/search.ts: loading a synthetic gallery and querying it the service's way. */

/**
 * The embedding space the synthetic faces are stored under: the profile's dimension, but a key of
 * its own, so they never mix with a real gallery's vectors and get their own partial HNSW index.
 */
export function syntheticSpace(profile: string, dimension: number): EmbeddingSpace {
  return { key: `bench-synthetic:${profile}`, dimension };
}

export const setting = (db: PrismaService, name: string, value: string) =>
  db.$queryRaw(Prisma.sql`SELECT set_config(${name}, ${value}, false)`);

/**
 * One multi-row INSERT per table per batch (users, faces, face_embeddings), as enrolment writes
 * them; vectors travel as parameters cast with ::vector.
 */
export async function insertFaces(
  db: PrismaService,
  faces: SyntheticFace[],
  userIds: Map<number, string>,
  from: number,
  space: EmbeddingSpace,
) {
  const newUsers: Prisma.Sql[] = [];
  for (const face of faces) {
    if (userIds.has(face.identity)) continue;
    const id = randomUUID();
    userIds.set(face.identity, id);
    newUsers.push(Prisma.sql`(${id}::uuid, ${`bench-search-${face.identity}`}, '1970-01-01'::date, now())`);
  }
  if (newUsers.length > 0) {
    await db.$executeRaw`INSERT INTO users (id, name, birthdate, updated_at) VALUES ${Prisma.join(newUsers)}`;
  }
  const ids = faces.map(() => randomUUID());
  const rows = faces.map((face, i) => {
    const sha = createHash('sha256')
      .update(`${from + i}`)
      .digest('hex');
    return Prisma.sql`(${ids[i]!}::uuid, ${userIds.get(face.identity)!}::uuid, 0.99,
      '{"x":0,"y":0,"width":100,"height":100}'::jsonb, ${sha}, now())`;
  });
  await db.$executeRaw`INSERT INTO faces (id, user_id, detection_score, box, image_sha256, updated_at)
    VALUES ${Prisma.join(rows)}`;
  const vectors = faces.map(
    (face, i) =>
      Prisma.sql`(${ids[i]!}::uuid, ${space.key}, ${space.dimension}, ${toPgVector(face.vector)}::vector)`,
  );
  await db.$executeRaw`INSERT INTO face_embeddings (face_id, model, dimension, embedding)
    VALUES ${Prisma.join(vectors)}`;
}

/** The nearest-users query exactly as the repository runs it (maxDistance 2: every face counts). */
function nearestQuery(probe: Float32Array, space: EmbeddingSpace, topK: number) {
  return { embedding: probe, space, topK, maxDistance: 2, limit: topK };
}

/**
 * The plan of the repository's query (`nearestUsersSql`) under the current settings, reduced to
 * the node that reads face_embeddings: the space's HNSW index, or a scan and sort.
 */
export async function scanNode(
  db: PrismaService,
  probe: Float32Array,
  space: EmbeddingSpace,
  topK: number,
): Promise<string> {
  const rows = await db.$queryRaw<Array<{ 'QUERY PLAN': string }>>(
    Prisma.sql`EXPLAIN ${nearestUsersSql(nearestQuery(probe, space, topK))}`,
  );
  const lines = rows.map((r) => r['QUERY PLAN']);
  const node = lines.find((l) => / on face_embeddings\b/.test(l));
  return (node ?? lines[0] ?? '').replace(/\s+\(cost=.*$/, '').replace(/^[\s>-]+/, '');
}

export async function runQueries(
  repository: MatchingRepository,
  probes: SyntheticFace[],
  space: EmbeddingSpace,
  topK: number,
  label: string,
): Promise<{ ms: number[]; answers: UserCandidate[][] }> {
  const query = (probe: SyntheticFace) =>
    repository.findNearestUsers(nearestQuery(probe.vector, space, topK));
  // Warm-up: the first queries after a settings change or index build read cold pages.
  for (const probe of probes.slice(0, 10)) await query(probe);
  const ms: number[] = [];
  const answers: UserCandidate[][] = [];
  const tick = progress(label, probes.length);
  for (const [i, probe] of probes.entries()) {
    const started = process.hrtime.bigint();
    answers.push(await query(probe));
    ms.push(msSince(started));
    tick(i + 1);
  }
  return { ms, answers };
}

/** The floor under every query: a trivial statement through the same client and connection. */
export async function roundTrips(db: PrismaService, n: number): Promise<number[]> {
  for (let i = 0; i < 10; i++) await db.$queryRaw`SELECT 1`;
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = process.hrtime.bigint();
    await db.$queryRaw`SELECT 1`;
    ms.push(msSince(started));
  }
  return ms;
}

export interface Recall {
  at1: number;
  /** recall@1 over queries of enrolled identities (the ones a wrong answer would misrecognise). */
  at1Known: number;
  /** recall@1 over strangers, whose neighbours are all far and nearly equidistant. */
  at1Unknown: number;
  atK: number;
}

export function recall(probes: SyntheticFace[], exact: UserCandidate[][], approx: UserCandidate[][]): Recall {
  const hit = exact.map((truth, i) => (truth[0] && approx[i]![0]?.userId === truth[0].userId ? 1 : 0));
  const share = (pick: (p: SyntheticFace) => boolean) => {
    const idx = probes.flatMap((p, i) => (pick(p) ? [i] : []));
    return idx.length > 0 ? idx.reduce((n, i) => n + hit[i]!, 0) / idx.length : Number.NaN;
  };
  let sumK = 0;
  exact.forEach((truth, i) => {
    const ids = new Set(approx[i]!.map((c) => c.userId));
    sumK += truth.length > 0 ? truth.filter((c) => ids.has(c.userId)).length / truth.length : 1;
  });
  return {
    at1: share(() => true),
    at1Known: share((p) => p.identity >= 0),
    at1Unknown: share((p) => p.identity < 0),
    atK: sumK / Math.max(exact.length, 1),
  };
}

/** Mean same-identity and different-identity distance of the generated faces (a sanity check). */
export function measuredDistances(faces: SyntheticFace[]): { intra: number; inter: number } {
  let intra = 0;
  let intraN = 0;
  let inter = 0;
  let interN = 0;
  for (let i = 1; i < Math.min(faces.length, 4000); i++) {
    const a = faces[i]!;
    const prev = faces[i - 1]!;
    const other = faces[(i * 7919) % faces.length]!;
    if (prev.identity === a.identity) {
      intra += cosineDistance(a.vector, prev.vector);
      intraN++;
    }
    if (other.identity !== a.identity) {
      inter += cosineDistance(a.vector, other.vector);
      interN++;
    }
  }
  return { intra: intra / Math.max(intraN, 1), inter: inter / Math.max(interN, 1) };
}
