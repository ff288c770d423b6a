import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../src/common/domain-error.js';
import type { AddUserDto } from '../../src/enrollment/dto/add-user.dto.js';
import { EnrollmentRepository } from '../../src/enrollment/enrollment.repository.js';
import type { EmbeddingSpace } from '../../src/face/model-profile.js';
import type {
  RecogniseMatchDto,
  RecogniseNoMatchDto,
} from '../../src/matching/dto/recognise-response.dto.js';
import { EmailTakenError } from '../../src/users/user.errors.js';
import {
  awayFrom,
  axis,
  FAKE_MATCHING,
  FakeFaceModels,
  type FakeProfile,
  fakeProfileModels,
  seedImage,
} from '../support/fake-face-models.js';
import { type ServiceHarness, startServiceHarness } from '../support/service-harness.js';

const SPACE: EmbeddingSpace = { key: 'fake:seeded@1', dimension: 8 };
const D = SPACE.dimension;

const person = (name: string, email?: string): AddUserDto =>
  ({ name, birthdate: '1990-01-01', ...(email ? { email } : {}) }) as AddUserDto;
const fromReq = (name: string, reqId: string): AddUserDto =>
  ({ name, birthdate: '1990-01-01', req_id: reqId }) as AddUserDto;

function noMatch(answer: RecogniseMatchDto | RecogniseNoMatchDto): RecogniseNoMatchDto {
  expect(answer).toMatchObject({ status: 'failure', message: 'no_match' });
  return answer as RecogniseNoMatchDto;
}

/** The rejection of a promise that must reject (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a result');
}

describe('matching and enrolment services (embedded database, fake inference)', () => {
  let h: ServiceHarness;
  let profile: FakeProfile;

  /** Registers `seed` → `vector` and returns the image that carries it. */
  const face = (seed: number, vector: number[]) => {
    profile.embedder.define(seed, vector);
    return seedImage(seed);
  };
  const userCount = () => h.prisma.user.count();

  beforeAll(async () => {
    profile = fakeProfileModels('fake', SPACE);
    h = await startServiceHarness(new FakeFaceModels('fake', { fake: profile }));
  });

  afterAll(async () => {
    await h?.close();
  });

  beforeEach(async () => {
    await h?.reset();
  });

  it('serves the fake profile and applies its calibrated rule', () => {
    expect(h.gallery.serving().embedder.space).toEqual(SPACE);
    expect(h.gallery.target()).toBeUndefined();
    expect(h.policy.rule).toEqual({
      threshold: FAKE_MATCHING.threshold,
      margin: FAKE_MATCHING.margin,
      verifyThreshold: FAKE_MATCHING.verifyThreshold,
      enrolmentThreshold: FAKE_MATCHING.enrolmentThreshold,
    });
  });

  it('answers a stranger with no_match and a req_id under which the face is cached', async () => {
    const answer = noMatch(await h.matching.recognise(await face(1, axis(D, 0))));
    expect(answer.req_id).toMatch(/^req-[0-9a-f]{32}$/);
    const cached = await h.prisma.cachedFace.findMany();
    expect(cached.map((c) => [c.reqId, c.model])).toEqual([[answer.req_id, SPACE.key]]);
    expect(profile.embedder.calls).toBeGreaterThan(0);
  });

  it('enrols from that req_id, consumes it, and recognises the person next time', async () => {
    const { req_id } = noMatch(await h.matching.recognise(await face(1, axis(D, 0))));
    const { userId, faceId } = await h.enrollment.addUser(fromReq('Stranger', req_id));
    expect(await h.prisma.cachedFace.count()).toBe(0);
    const vectors = await h.prisma.faceEmbedding.findMany({ where: { faceId } });
    expect(vectors.map((v) => v.model)).toEqual([SPACE.key]);

    const again = await h.matching.recognise(await face(2, awayFrom(D, 0.1, 1)));
    expect(again).toMatchObject({ status: 'success', user_info: { id: userId, name: 'Stranger' } });
    expect((again as RecogniseMatchDto).distance).toBeCloseTo(0.1, 3);
    // Single use: the same req_id is gone.
    expect(await rejection(h.enrollment.addUser(fromReq('Twice', req_id)))).toBeInstanceOf(NotFoundError);
  });

  it('answers identify "ambiguous" and recognise no_match for a face as close to two users', async () => {
    // 0.2 and 0.21 from the probe, 0.368 from each other (clear of the enrolment threshold).
    const a = await h.enrollment.addUser(person('A'), await face(10, awayFrom(D, 0.2, 1)));
    const b = await h.enrollment.addUser(person('B'), await face(11, awayFrom(D, 0.21, 2)));
    const probe = await face(12, axis(D, 0));

    const identified = await h.matching.identify(probe, 5);
    expect(identified.result).toBe('ambiguous');
    expect(identified.candidates.map((c) => c.user_info.id)).toEqual([a.userId, b.userId]);
    expect(identified.candidates[0]!.distance).toBeCloseTo(0.2, 3);
    noMatch(await h.matching.recognise(probe));

    // Clear of the runner-up, the same gallery identifies: the margin, not the gallery, decided.
    const nearA = await face(13, awayFrom(D, 0.02, 1));
    const clear = await h.matching.identify(nearA, 1);
    expect(clear.result).toBe('identified');
    expect(clear.candidates.map((c) => c.user_info.id)).toEqual([a.userId]);
    expect(await h.matching.recognise(nearA)).toMatchObject({
      status: 'success',
      user_info: { id: a.userId },
    });
  });

  it('refuses a face within the enrolment threshold of a user (409 naming them), accepts one beyond it', async () => {
    const owner = await h.enrollment.addUser(person('Owner'), await face(20, axis(D, 0)));
    const before = await userCount();

    const error = await rejection(
      h.enrollment.addUser(person('Look-alike'), await face(21, awayFrom(D, 0.2, 1))),
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ httpStatus: 409, details: { user_id: owner.userId } });
    expect(await userCount()).toBe(before);

    // 0.3: beyond the enrolment threshold (0.25) though within the 1:N one (0.4) — a distinct person.
    const sibling = await h.enrollment.addUser(person('Sibling'), await face(22, awayFrom(D, 0.3, 2)));
    expect(sibling.userId).not.toBe(owner.userId);
    expect(await userCount()).toBe(before + 1);
  });

  it('lets exactly one of two concurrent add_user calls consume a req_id', async () => {
    const { req_id } = noMatch(await h.matching.recognise(await face(30, axis(D, 0))));
    const results = await Promise.allSettled([
      h.enrollment.addUser(fromReq('First', req_id)),
      h.enrollment.addUser(fromReq('Second', req_id)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(NotFoundError);
    expect(await userCount()).toBe(1);
    expect(await h.prisma.face.count()).toBe(1);
  });

  it('lets exactly one of two concurrent enrolments with the same e-mail through (409 EmailTakenError)', async () => {
    const [first, second] = await Promise.all([face(40, axis(D, 0)), face(41, axis(D, 3))]);
    const results = await Promise.allSettled([
      h.enrollment.addUser(person('One', 'same@example.com'), first),
      h.enrollment.addUser(person('Two', 'same@example.com'), second),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(EmailTakenError);
    expect(refused[0]!.reason).toMatchObject({ httpStatus: 409 });
    expect(await h.prisma.user.findMany({ where: { email: 'same@example.com' } })).toHaveLength(1);
    expect(await h.prisma.face.count()).toBe(1);
  });

  it('honours a req_id until its TTL and refuses it (404) once the clock has passed it', async () => {
    const ttlMs = h.config.cache.ttlSeconds * 1000;
    const early = noMatch(await h.matching.recognise(await face(50, axis(D, 0))));
    const late = noMatch(await h.matching.recognise(await face(51, axis(D, 4))));

    h.clock.advance(ttlMs - 1000);
    await expect(h.enrollment.addUser(fromReq('Just in time', early.req_id))).resolves.toMatchObject({
      userId: expect.any(String),
    });
    h.clock.advance(2000);
    const error = await rejection(h.enrollment.addUser(fromReq('Too late', late.req_id)));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/req_id/);
    expect(await userCount()).toBe(1);
  });

  it('verifies against a user with the 1:1 threshold, and answers 404 for a user without a face in the serving space', async () => {
    const enrolled = await h.enrollment.addUser(person('Vera'), await face(60, axis(D, 0)));
    // 0.45: beyond the 1:N threshold (0.4), within the 1:1 one (0.5).
    const same = await h.matching.verify(await face(61, awayFrom(D, 0.45, 1)), { userId: enrolled.userId });
    expect(same).toMatchObject({
      verified: true,
      threshold: FAKE_MATCHING.verifyThreshold,
      model: SPACE.key,
    });
    expect(same.distance).toBeCloseTo(0.45, 3);
    const other = await h.matching.verify(await face(62, awayFrom(D, 0.55, 2)), { userId: enrolled.userId });
    expect(other.verified).toBe(false);

    // A user whose only face has a vector in another space (an earlier profile's).
    const elsewhere = await h.prisma.user.create({
      data: { name: 'Old', birthdate: new Date('1980-01-01') },
    });
    const otherSpace: EmbeddingSpace = { key: 'fake:other@1', dimension: D };
    await h.moduleRef.get(EnrollmentRepository).insertFace(h.prisma, elsewhere.id, {
      detectionScore: 0.9,
      box: { x: 0, y: 0, width: 10, height: 10 },
      imageSha256: '0'.repeat(64),
      crop: null,
      vectors: [{ space: otherSpace, embedding: Float32Array.from(axis(D, 0)) }],
    });
    const probe = await face(63, axis(D, 0));
    const error = await rejection(h.matching.verify(probe, { userId: elsewhere.id }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ httpStatus: 404 });
    expect(
      await rejection(h.matching.verify(probe, { userId: '00000000-0000-4000-8000-000000000000' })),
    ).toBeInstanceOf(NotFoundError);
  });
});
