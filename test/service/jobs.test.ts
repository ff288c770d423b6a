import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthenticatedApiKey } from '../../src/api-keys/api-key.types.js';
import { ModelUnavailableError } from '../../src/face/face.errors.js';
import type { EmbeddingSpace } from '../../src/face/model-profile.js';
import type { EnrolmentPersonDto } from '../../src/jobs/dto/create-job.dto.js';
import { TEST_ENGINE } from '../support/database.js';
import {
  axis,
  FakeFaceModels,
  type FakeProfile,
  fakeProfileModels,
  seedImage,
} from '../support/fake-face-models.js';
import { type JobsHarness, startJobsHarness, testKey } from '../support/jobs-harness.js';

const SPACE: EmbeddingSpace = { key: 'fake:seeded@1', dimension: 8 };
const D = SPACE.dimension;
const person = (name: string): EnrolmentPersonDto =>
  ({ name, birthdate: '1990-01-01' }) as EnrolmentPersonDto;

describe(`jobs on the ${TEST_ENGINE} database (fake inference)`, () => {
  let h: JobsHarness;
  let profile: FakeProfile;
  let key: AuthenticatedApiKey;

  /** The image of `seed`, whose embedding is the unit vector along `axisIndex`. */
  const face = (seed: number, axisIndex: number) => {
    profile.embedder.define(seed, axis(D, axisIndex));
    return seedImage(seed);
  };
  const itemsOf = async (id: string) => (await h.jobs.items(key, id, { limit: 100 })).items;

  beforeAll(async () => {
    profile = fakeProfileModels('fake', SPACE);
    h = await startJobsHarness(new FakeFaceModels('fake', { fake: profile }), {
      JOB_MAX_ATTEMPTS: '3',
      JOB_LEASE_SECONDS: '5',
      JOB_CONCURRENCY: '1',
    });
    h.worker.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  beforeEach(async () => {
    await h.reset();
    await h.prisma.$executeRawUnsafe('TRUNCATE jobs, encodings CASCADE');
    key = await testKey(h.prisma);
  });

  it('enrols a batch; a photo that is not an image and a face already enrolled fail alone', async () => {
    const uploads = [
      await h.upload(await face(1, 1), 'a.png'),
      await h.upload(Buffer.from('this is not an image at all'), 'notes.txt'),
      await h.upload(await face(2, 2), 'b.png'),
      await h.upload(await face(1, 1), 'a-again.png'),
    ];
    const created = await h.jobs.createEnrolment(key, uploads, ['A', 'X', 'B', 'A twin'].map(person));
    expect(created).toMatchObject({ kind: 'enrolment', status: 'queued', progress: { total: 4, done: 0 } });
    const job = await h.settle(key, created.id);
    expect(job).toMatchObject({
      status: 'completed',
      progress: { total: 4, done: 2, failed: 2, pending: 0 },
    });
    expect(job.expires_at).not.toBeNull();
    const items = await itemsOf(created.id);
    expect(items.map((i) => [i.filename, i.status, i.error?.error_code ?? null])).toEqual([
      ['a.png', 'completed', null],
      ['notes.txt', 'failed', 415],
      ['b.png', 'completed', null],
      ['a-again.png', 'failed', 409],
    ]);
    // Failures of the input are not retried.
    expect(items.map((i) => i.attempts)).toEqual([1, 1, 1, 1]);
    expect(items[0]!.result).toMatchObject({ status: 'success', user_id: expect.any(String) });
    expect(items[0]!.input).toEqual({ name: 'A', birthdate: '1990-01-01' });
    expect(await h.prisma.user.count()).toBe(2);
    // Inputs are deleted as items end.
    expect(await h.prisma.jobInput.count()).toBe(0);
  });

  it('retries a transient failure with backoff and then succeeds', async () => {
    const image = await face(3, 3);
    const embed = profile.embedder.embed.bind(profile.embedder);
    let failures = 1;
    profile.embedder.embed = async (...args) => {
      if (failures-- > 0)
        throw new ModelUnavailableError('The face recognition service is overloaded; retry shortly');
      return embed(...args);
    };
    try {
      const created = await h.jobs.createRecognition(key, [await h.upload(image)]);
      const job = await h.settle(key, created.id);
      expect(job.status).toBe('completed');
      const [item] = await itemsOf(created.id);
      expect(item).toMatchObject({
        status: 'completed',
        attempts: 2,
        result: { status: 'failure', message: 'no_match' },
      });
      // The failed attempt's error was shown while the item waited; success clears it.
      expect(item!.error).toBeNull();
    } finally {
      profile.embedder.embed = embed;
    }
  });

  it('fails an item once its attempts are used up; a job whose items all failed fails', async () => {
    const image = await face(4, 4);
    const embed = profile.embedder.embed.bind(profile.embedder);
    profile.embedder.embed = () => Promise.reject(new Error('worker crashed'));
    try {
      const created = await h.jobs.createRecognition(key, [await h.upload(image)]);
      const job = await h.settle(key, created.id);
      expect(job).toMatchObject({
        status: 'failed',
        progress: { failed: 1 },
        message: expect.stringMatching(/Every item failed/),
      });
      const [item] = await itemsOf(created.id);
      expect(item).toMatchObject({
        attempts: 3,
        error: { error_code: 500, message: 'Internal error while processing this item' },
      });
    } finally {
      profile.embedder.embed = embed;
    }
  });

  it('takes over the items of a worker that died, and fails one that keeps killing its workers', async () => {
    await h.worker.stop();
    try {
      const created = await h.jobs.createRecognition(key, [
        await h.upload(await face(5, 5)),
        await h.upload(await face(6, 6)),
      ]);
      // A worker claims both items and dies (its lease is left to expire); the second was already on its last attempt.
      const claimed = await h.queue.claim('dead-worker', 2, 60);
      expect(claimed).toHaveLength(2);
      await h.prisma
        .$executeRaw`UPDATE job_items SET lease_until = now() - interval '1 second' WHERE job_id = ${created.id}::uuid`;
      await h.prisma
        .$executeRaw`UPDATE job_items SET attempts = 3 WHERE job_id = ${created.id}::uuid AND seq = 1`;
    } finally {
      h.worker.start();
    }
    const [latest] = (await h.jobs.list(key, {})).items;
    const job = await h.settle(key, latest!.id);
    expect(job).toMatchObject({ status: 'completed', progress: { done: 1, failed: 1 } });
    const items = await itemsOf(job.id);
    expect(items[0]).toMatchObject({ status: 'completed', attempts: 2 });
    expect(items[1]).toMatchObject({
      status: 'failed',
      error: { message: expect.stringMatching(/stopped 3 time\(s\)/) },
    });
  });

  it('cancels a job: unfinished items stop, their uploads go, a second cancel is refused', async () => {
    await h.worker.stop();
    let id: string;
    try {
      const uploads = await Promise.all([7, 8, 9].map(async (seed, i) => h.upload(await face(seed, i + 1))));
      id = (await h.jobs.createRecognition(key, uploads)).id;
      expect(await h.prisma.jobInput.count()).toBe(3);
      const cancelled = await h.jobs.cancel(key, id);
      expect(cancelled).toMatchObject({ status: 'cancelled', progress: { total: 3, done: 0, pending: 3 } });
      expect(await h.prisma.jobInput.count()).toBe(0);
      await expect(h.jobs.cancel(key, id)).rejects.toMatchObject({ httpStatus: 409 });
    } finally {
      h.worker.start();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await itemsOf(id)).map((i) => i.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  });

  it('rolls an enrolment back when its job is cancelled while the photo is being analysed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const embed = profile.embedder.embed.bind(profile.embedder);
    profile.embedder.embed = async (...args) => {
      await gate;
      return embed(...args);
    };
    try {
      const created = await h.jobs.createEnrolment(
        key,
        [await h.upload(await face(10, 1))],
        [person('Late')],
      );
      while ((await itemsOf(created.id))[0]!.status !== 'running')
        await new Promise((r) => setTimeout(r, 10));
      await h.jobs.cancel(key, created.id);
      release();
      while (h.worker.busy > 0) await new Promise((r) => setTimeout(r, 10));
      expect(await h.prisma.user.count()).toBe(0);
      expect((await itemsOf(created.id))[0]).toMatchObject({ status: 'cancelled', result: null });
    } finally {
      profile.embedder.embed = embed;
    }
  });

  it('shows a key its own jobs only; an admin key sees every job', async () => {
    const other = await testKey(h.prisma, ['recognise']);
    const admin = await testKey(h.prisma, ['admin']);
    const mine = await h.jobs.createRecognition(key, [await h.upload(await face(11, 1))]);
    await expect(h.jobs.get(other, mine.id)).rejects.toMatchObject({ httpStatus: 404 });
    await expect(h.jobs.cancel(other, mine.id)).rejects.toMatchObject({ httpStatus: 404 });
    expect((await h.jobs.list(other, {})).total).toBe(0);
    expect((await h.jobs.get(admin, mine.id)).id).toBe(mine.id);
    expect((await h.jobs.list(admin, {})).items.map((j) => j.id)).toContain(mine.id);
    await h.settle(key, mine.id);
  });

  it('refuses a mismatch between photos and people, and more active jobs than a key may have', async () => {
    await expect(
      h.jobs.createEnrolment(key, [await h.upload(await face(12, 1))], [person('A'), person('B')]),
    ).rejects.toMatchObject({
      httpStatus: 400,
      message: expect.stringMatching(/people has 2 entries for 1 image/),
    });
    await expect(h.jobs.createRecognition(key, [])).rejects.toMatchObject({ httpStatus: 400 });
    await h.prisma.$executeRaw`
      INSERT INTO jobs (kind, status, api_key_id, total) SELECT 'recognition', 'running', ${key.id}::uuid, 1 FROM generate_series(1, 10)`;
    await expect(h.jobs.createRecognition(key, [await h.upload(await face(13, 1))])).rejects.toMatchObject({
      httpStatus: 429,
    });
  });

  it('keeps batch recognition encodings by file hash, and deletes ended jobs and stale encodings after their retention', async () => {
    const image = await face(14, 2);
    const created = await h.jobs.createRecognition(key, [await h.upload(image)]);
    await h.settle(key, created.id);
    const [item] = await itemsOf(created.id);
    expect(await h.prisma.encoding.findMany({ select: { sha256: true, model: true } })).toEqual([
      { sha256: item!.sha256, model: SPACE.key },
    ]);
    expect(await h.retention.runOnce()).toEqual({ jobs: 0, encodings: 0 });
    // Time passes (the database's clock decides both expiries).
    await h.prisma.$executeRaw`UPDATE jobs SET expires_at = now() - interval '1 second'`;
    expect(await h.retention.runOnce()).toEqual({ jobs: 1, encodings: 0 });
    await h.prisma.$executeRaw`
      UPDATE encodings SET last_used_at = now() - make_interval(secs => ${h.config.encodings.retentionSeconds + 1})`;
    expect(await h.retention.runOnce()).toEqual({ jobs: 0, encodings: 1 });
    await expect(h.jobs.get(key, created.id)).rejects.toMatchObject({ httpStatus: 404 });
  });
});
