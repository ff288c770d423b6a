import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddUserDto } from '../../src/enrollment/dto/add-user.dto.js';
import type { EmbeddingSpace } from '../../src/face/model-profile.js';
import type {
  RecogniseMatchDto,
  RecogniseNoMatchDto,
} from '../../src/matching/dto/recognise-response.dto.js';
import { MatchingRepository } from '../../src/matching/matching.repository.js';
import {
  axis,
  FakeFaceModels,
  type FakeProfile,
  fakeProfileModels,
  seedImage,
} from '../support/fake-face-models.js';
import { type ServiceHarness, startServiceHarness } from '../support/service-harness.js';

const person = (name: string): AddUserDto => ({ name, birthdate: '1990-01-01' }) as AddUserDto;
const fromReq = (name: string, reqId: string): AddUserDto =>
  ({ name, birthdate: '1990-01-01', req_id: reqId }) as AddUserDto;

function noMatch(answer: RecogniseMatchDto | RecogniseNoMatchDto): RecogniseNoMatchDto {
  expect(answer).toMatchObject({ status: 'failure', message: 'no_match' });
  return answer as RecogniseNoMatchDto;
}

describe('enrolment during a profile move (gallery served by one fake profile, FACE_PROFILE another)', () => {
  const OLD: EmbeddingSpace = { key: 'fake:old@1', dimension: 8 };
  const NEW: EmbeddingSpace = { key: 'fake:new@2', dimension: 6 };
  let h: ServiceHarness;
  let old: FakeProfile;
  let next: FakeProfile;

  const face = (seed: number, inOld: number[], inNew: number[]) => {
    old.embedder.define(seed, inOld);
    next.embedder.define(seed, inNew);
    return seedImage(seed);
  };

  const spacesOf = async (faceId: string) =>
    (await h.prisma.faceEmbedding.findMany({ where: { faceId }, select: { model: true, dimension: true } }))
      .map((v) => `${v.model}/${v.dimension}`)
      .sort();

  beforeAll(async () => {
    old = fakeProfileModels('old', OLD);
    next = fakeProfileModels('new', NEW);
    h = await startServiceHarness(new FakeFaceModels('new', { old, new: next }), { servingModel: OLD.key });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('keeps serving the stored space and targets the active profile', () => {
    expect(h.gallery.serving().name).toBe('old');
    expect(h.gallery.target()?.name).toBe('new');
    expect(h.gallery.writeProfiles().map((p) => p.embedder.space.key)).toEqual([OLD.key, NEW.key]);
  });

  it('writes an image enrolment in both spaces, each vector from its own profile', async () => {
    const { userId, faceId } = await h.enrollment.addUser(
      person('Mover'),
      await face(70, axis(8, 0), axis(6, 1)),
    );
    expect(await spacesOf(faceId)).toEqual([`${NEW.key}/6`, `${OLD.key}/8`].sort());
    const repo = h.moduleRef.get(MatchingRepository);
    expect(await repo.distanceToUser(Float32Array.from(axis(6, 1)), NEW, userId)).toBeCloseTo(0, 5);
    expect(await repo.distanceToUser(Float32Array.from(axis(8, 0)), OLD, userId)).toBeCloseTo(0, 5);
    // Recognition still searches the serving (old) space.
    expect(await h.matching.recognise(await seedImage(70))).toMatchObject({
      status: 'success',
      user_info: { id: userId },
    });
  });

  it('writes a req_id enrolment in both spaces too (the target vector from the cached crop)', async () => {
    const { req_id } = noMatch(await h.matching.recognise(await face(71, axis(8, 3), axis(6, 4))));
    const { userId, faceId } = await h.enrollment.addUser(fromReq('Cached mover', req_id));
    expect(await spacesOf(faceId)).toEqual([`${NEW.key}/6`, `${OLD.key}/8`].sort());
    const repo = h.moduleRef.get(MatchingRepository);
    expect(await repo.distanceToUser(Float32Array.from(axis(6, 4)), NEW, userId)).toBeCloseTo(0, 5);
  });
});
