import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schemas } from '../../client/index.js';
import { PrismaService } from '../../src/infra/database/prisma.service.js';
import { detectFaces } from '../support/detect-faces.js';
import { cropAround, demoImage, HAS_LFW } from '../support/face-images.js';
import { lfwPeople } from '../support/lfw-batch.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Photo {
  name: string;
  image: Buffer;
}

interface Outcome {
  status: number;
  code?: number;
  userId?: string;
}

/** Every face of face-api's demo photos, cropped with context: photos of about 20 people. */
async function demoPeople(t: TestApp): Promise<Photo[]> {
  const photos: Photo[] = [];
  for (const n of [1, 2, 3, 5]) {
    const sample = demoImage(n);
    for (const face of await detectFaces(t.app, sample)) {
      photos.push({ name: `Demo ${n}.${photos.length}`, image: await cropAround(sample, face.box) });
    }
  }
  return photos;
}

describe('jobs through the API (real models)', () => {
  let t: TestApp;
  let admin: string;
  let both: string;
  const api = (key: string) => ({
    get: (url: string) => request(t.server).get(url).set('x-api-key', key),
    post: (url: string) => request(t.server).post(url).set('x-api-key', key),
    delete: (url: string) => request(t.server).delete(url).set('x-api-key', key),
  });

  /** Polls a job until it has ended; returns it with all its items. */
  async function settle(key: string, id: string, timeoutMs = 600_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = (await api(key).get(`/api/v1/jobs/${id}`).expect(200)).body as { status: string };
      if (!['queued', 'running'].includes(job.status)) break;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
      await sleep(200);
    }
    const items: Array<Schemas['JobItemDto']> = [];
    for (let page = 1; ; page++) {
      const res = await api(key).get(`/api/v1/jobs/${id}/items?limit=100&page=${page}`).expect(200);
      items.push(...res.body.items);
      if (items.length >= res.body.total) break;
    }
    return { job: (await api(key).get(`/api/v1/jobs/${id}`)).body, items };
  }

  async function enrolThroughJob(key: string, photos: Photo[]) {
    let req = api(key)
      .post('/api/v1/jobs/enrolment')
      .field('people', JSON.stringify(photos.map((p) => ({ name: p.name, birthdate: '1970-01-01' }))));
    for (const [i, p] of photos.entries()) req = req.attach('images', p.image, `photo-${i}.jpg`);
    const created = await req;
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    return settle(key, created.body.id);
  }

  async function enrolOneByOne(key: string, photos: Photo[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const p of photos) {
      const res = await api(key)
        .post('/api/v1/add_user')
        .field('name', p.name)
        .field('birthdate', '1970-01-01')
        .attach('image', p.image, 'photo.jpg');
      outcomes.push(
        res.status === 201
          ? { status: 201, userId: res.body.user_id }
          : { status: res.status, code: res.body.error_code },
      );
    }
    return outcomes;
  }

  /** Each photo's stored vector, by the name it was enrolled under. */
  async function vectorsByName(): Promise<Map<string, string>> {
    const rows = await t.app.get(PrismaService).$queryRaw<Array<{ name: string; embedding: string }>>`
      SELECT u.name, e.embedding::text AS embedding FROM users u
      JOIN faces f ON f.user_id = u.id JOIN face_embeddings e ON e.face_id = f.id`;
    return new Map(rows.map((r) => [r.name, r.embedding]));
  }

  /**
   * The same photos enrolled through a job and then one by one (after emptying the gallery) give
   * the same outcome per photo and the same stored vectors. The job enrols two photos at a time,
   * so of two look-alikes it may keep the other one: such swaps (201 ↔ 409) are the only
   * difference allowed, and the number of people enrolled must be the same.
   */
  async function expectSameAsOneByOne(photos: Photo[]) {
    const { job, items } = await enrolThroughJob(both, photos);
    expect(job).toMatchObject({
      kind: 'enrolment',
      status: 'completed',
      progress: { total: photos.length, pending: 0 },
    });
    const throughJob: Outcome[] = items.map((item) =>
      item.status === 'completed'
        ? { status: 201, userId: (item.result as Schemas['EnrolmentResultDto']).user_id }
        : { status: item.error!.http_status, code: item.error!.error_code },
    );
    const jobVectors = await vectorsByName();
    await t.app.get(PrismaService).$executeRawUnsafe('TRUNCATE users CASCADE');
    const oneByOne = await enrolOneByOne(both, photos);
    const directVectors = await vectorsByName();
    const swaps = throughJob.filter((o, i) => o.status !== oneByOne[i]!.status);
    expect(swaps.every((o) => o.status === 201 || o.code === 409)).toBe(true);
    expect(throughJob.filter((o) => o.status === 201)).toHaveLength(
      oneByOne.filter((o) => o.status === 201).length,
    );
    for (const [i, o] of throughJob.entries()) {
      if (o.status !== 201 && oneByOne[i]!.status !== 201) expect(o.code).toBe(oneByOne[i]!.code);
      if (o.status === 201 && oneByOne[i]!.status === 201) {
        expect(jobVectors.get(photos[i]!.name)).toBe(directVectors.get(photos[i]!.name));
      }
    }
    await t.app.get(PrismaService).$executeRawUnsafe('TRUNCATE users CASCADE');
    return { enrolled: oneByOne.filter((o) => o.status === 201).length, swaps: swaps.length };
  }

  beforeAll(async () => {
    // Polling a job counts against the key's default limit: a slow machine must not turn it into a 429.
    t = await startTestApp({
      JOB_POLL_INTERVAL_MS: '100',
      RATE_LIMIT_INFERENCE: '100000',
      RATE_LIMIT_DEFAULT: '100000',
    });
    admin = await t.key('admin');
    both = await t.key('enroll', 'recognise');
  });

  afterAll(async () => {
    await t?.app.close();
  });

  it('enrols a batch through a job exactly as one add_user per photo', async () => {
    const photos = await demoPeople(t);
    expect(photos.length).toBeGreaterThanOrEqual(10);
    // A photo without a face fails alone, with the add_user error.
    photos.splice(3, 0, {
      name: 'Nobody',
      image: await cropAround(demoImage(1), { x: 0, y: 0, width: 30, height: 30 }, 0),
    });
    const { enrolled } = await expectSameAsOneByOne(photos);
    expect(enrolled).toBeGreaterThanOrEqual(photos.length - 4);
  });

  it.skipIf(!HAS_LFW)(
    'enrols LFW photos through a job exactly as one by one (JOBS_E2E_PHOTOS, default 200)',
    async () => {
      const photos = lfwPeople(Number(process.env.JOBS_E2E_PHOTOS ?? 200));
      const { enrolled, swaps } = await expectSameAsOneByOne(photos);
      expect(enrolled).toBeGreaterThan(photos.length * 0.9);
      expect(swaps).toBeLessThanOrEqual(2);
    },
    1_200_000,
  );

  it('recognises a batch as recognise_user would, and keeps each file’s encodings by hash', async () => {
    const photos = (await demoPeople(t)).slice(0, 4);
    const enrolled = await api(both)
      .post('/api/v1/add_user')
      .field('name', 'Known')
      .field('birthdate', '1970-01-01')
      .attach('image', photos[0]!.image, 'k.jpg')
      .expect(201);
    let req = api(both).post('/api/v1/jobs/recognition');
    for (const p of photos) req = req.attach('images', p.image, 'p.jpg');
    const created = await req.expect(202);
    const { job, items } = await settle(both, created.body.id);
    expect(job.status).toBe('completed');
    expect(items[0]!.result).toMatchObject({ status: 'success', user_info: { id: enrolled.body.user_id } });
    for (const item of items.slice(1)) {
      expect(item.result).toMatchObject({
        status: 'failure',
        message: 'no_match',
        req_id: expect.stringMatching(/^req-/),
      });
    }
    // The no-match req_id enrols the person, as recognise_user's does.
    await api(both)
      .post('/api/v1/add_user')
      .send({
        name: 'From job',
        birthdate: '1980-01-01',
        req_id: (items[1]!.result as Schemas['RecogniseNoMatchDto']).req_id,
      })
      .expect(201);
    const stored = await api(both).get(`/api/v1/encodings/${items[2]!.sha256}`).expect(200);
    expect(stored.body).toMatchObject({ sha256: items[2]!.sha256, cached: true });
    expect(stored.body.faces.length).toBeGreaterThanOrEqual(1);
  });

  it('answers the same file again from the encodings store, by upload or by hash', async () => {
    const image = (await demoPeople(t))[5]!.image;
    const first = await api(both).post('/api/v1/encodings').attach('image', image, 'e.jpg').expect(200);
    expect(first.body).toMatchObject({
      cached: false,
      dimension: expect.any(Number),
      model: expect.any(String),
    });
    expect(first.body.faces[0].embedding).toHaveLength(first.body.dimension);
    const again = await api(both)
      .post('/api/v1/encodings')
      .attach('image', image, 'other-name.jpg')
      .expect(200);
    expect(again.body).toEqual({ ...first.body, cached: true });
    const byHash = await api(both).get(`/api/v1/encodings/${first.body.sha256.toUpperCase()}`).expect(200);
    expect(byHash.body).toEqual({ ...first.body, cached: true });
    const missing = await api(both)
      .get(`/api/v1/encodings/${'0'.repeat(64)}`)
      .expect(404);
    expect(missing.body).toMatchObject({ status: 'error', error_code: 404 });
    await api(both).get('/api/v1/encodings/not-a-hash').expect(400);
  });

  it('applies scopes to creation and shows each key only its own jobs', async () => {
    const recogniseOnly = await t.key('recognise');
    const enrolOnly = await t.key('enroll');
    const image = (await demoPeople(t))[0]!.image;
    await api(recogniseOnly)
      .post('/api/v1/jobs/enrolment')
      .field('people', '[{"name":"A","birthdate":"1970-01-01"}]')
      .attach('images', image, 'a.jpg')
      .expect(403);
    await api(enrolOnly).post('/api/v1/jobs/recognition').attach('images', image, 'a.jpg').expect(403);
    const mine = await api(recogniseOnly)
      .post('/api/v1/jobs/recognition')
      .attach('images', image, 'a.jpg')
      .expect(202);
    await api(enrolOnly).get(`/api/v1/jobs/${mine.body.id}`).expect(404);
    await api(enrolOnly).post(`/api/v1/jobs/${mine.body.id}/cancel`).expect(404);
    expect((await api(enrolOnly).get('/api/v1/jobs').expect(200)).body).toMatchObject({
      total: 0,
      items: [],
    });
    const listed = await api(admin).get('/api/v1/jobs?kind=recognition&limit=100').expect(200);
    expect(listed.body.items.map((j: { id: string }) => j.id)).toContain(mine.body.id);
    await settle(recogniseOnly, mine.body.id);
    await api(recogniseOnly).post(`/api/v1/jobs/${mine.body.id}/cancel`).expect(409);
    await api(recogniseOnly).delete(`/api/v1/jobs/${mine.body.id}`).expect(204);
    await api(recogniseOnly).get(`/api/v1/jobs/${mine.body.id}`).expect(404);
  });

  it('refuses malformed job requests with the error envelope, storing nothing', async () => {
    const image = (await demoPeople(t))[0]!.image;
    const before = await t.app.get(PrismaService).job.count();
    const noFiles = await api(both).post('/api/v1/jobs/recognition').field('x', '1').expect(400);
    expect(noFiles.body).toMatchObject({ status: 'error', error_code: 400 });
    const badJson = await api(both)
      .post('/api/v1/jobs/enrolment')
      .field('people', 'not json')
      .attach('images', image, 'a.jpg')
      .expect(400);
    expect(badJson.body.message).toMatch(/people must be a JSON array/);
    const badPerson = await api(both)
      .post('/api/v1/jobs/enrolment')
      .field('people', '[{"name":"A","birthdate":"2999-01-01"}]')
      .attach('images', image, 'a.jpg')
      .expect(400);
    expect(JSON.stringify(badPerson.body.details)).toMatch(/birthdate/);
    const wrongField = await api(both).post('/api/v1/jobs/recognition').attach('image', image, 'a.jpg');
    expect(wrongField.status).toBe(400);
    expect(await t.app.get(PrismaService).job.count()).toBe(before);
  });
});

describe('a worker-only instance (SERVICE_ROLE=worker)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ SERVICE_ROLE: 'worker' });
  });

  afterAll(async () => {
    await t?.app.close();
  });

  it('serves health and metrics, and answers 404 for the API', async () => {
    await request(t.server).get('/health/ready').expect(200);
    const key = await t.key('admin');
    await request(t.server).get('/metrics').set('x-api-key', key).expect(200);
    const res = await request(t.server).get('/api/v1/jobs').set('x-api-key', key).expect(404);
    expect(res.body).toMatchObject({
      status: 'error',
      error_code: 404,
      message: expect.stringMatching(/SERVICE_ROLE=worker/),
    });
  });
});
