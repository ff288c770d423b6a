import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheCleanupService } from '../../src/cache-cleanup/cache-cleanup.service.js';
import { PrismaService } from '../../src/infra/database/prisma.service.js';
import { cropAround, demoImage, HAS_LFW, LFW_DIR, lfwImage, variantOf } from '../support/face-images.js';
import { detectFaces } from '../support/detect-faces.js';
import { type Server, startTestApp, type TestApp } from '../support/test-app.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('recognise_user → req_id → add_user → recognised (real models, embedded database)', () => {
  let t: TestApp;
  let server: Server;
  let recogniseKey: string;
  let enrollKey: string;
  let manageKey: string;
  // Three different people cropped from one demo photo, and a second "photo" of the first.
  let personA: Buffer;
  let personA2: Buffer;
  let personB: Buffer;
  let personC: Buffer;
  let userA: string;

  const recognise = (image: Buffer) =>
    request(server)
      .post('/api/v1/recognise_user')
      .set('x-api-key', recogniseKey)
      .attach('image', image, 'face.jpg');
  const addUser = (fields: Record<string, string>, image?: Buffer) => {
    const req = request(server).post('/api/v1/add_user').set('x-api-key', enrollKey);
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    if (image) req.attach('image', image, 'face.jpg');
    return req;
  };

  beforeAll(async () => {
    t = await startTestApp();
    server = t.server;
    [recogniseKey, enrollKey, manageKey] = await Promise.all([
      t.key('recognise'),
      t.key('enroll'),
      t.key('manage'),
    ]);
    const sample = demoImage(1);
    const faces = await detectFaces(t.app, sample);
    expect(faces.length).toBeGreaterThanOrEqual(3);
    const crops = await Promise.all(faces.slice(0, 3).map((f) => cropAround(sample, f.box)));
    [personA, personB, personC] = crops as [Buffer, Buffer, Buffer];
    personA2 = await variantOf(personA);
  });

  afterAll(async () => {
    await t?.app.close();
  });

  it('answers an unknown face with no_match, a req_id, its expiry and the face metadata', async () => {
    const res = await recognise(personA).expect(200);
    expect(res.body).toMatchObject({ status: 'failure', message: 'no_match' });
    expect(res.body.req_id).toMatch(/^req-[0-9a-f]{32}$/);
    const expiresIn = Date.parse(res.body.expiresAt) - t.clock.now().getTime();
    expect(expiresIn).toBeGreaterThan(DAY_MS - 5000);
    expect(expiresIn).toBeLessThanOrEqual(DAY_MS);
    expect(res.body.metadata).toMatchObject({ faces_detected: 1, face_selection: 'largest' });
    expect(res.body.metadata.detection_confidence).toBeGreaterThan(0.5);
    expect(res.body.metadata.face_size).toBeGreaterThan(32);

    const added = await request(server)
      .post('/api/v1/add_user')
      .set('x-api-key', enrollKey)
      .send({ name: 'Person A', birthdate: '1990-05-17', email: 'A@Example.com', req_id: res.body.req_id })
      .expect(201);
    expect(added.body).toMatchObject({ status: 'success', message: 'User added successfully' });
    userA = added.body.user_id;

    // The req_id was consumed.
    await addUser({ name: 'Again', birthdate: '1990-05-17', req_id: res.body.req_id }).expect(404);
  });

  it('recognises the same person in a different image, and not a different person', async () => {
    const match = await recognise(personA2).expect(200);
    expect(match.body).toMatchObject({
      status: 'success',
      message: 'Match found',
      user_info: { id: userA, name: 'Person A', email: 'a@example.com', birthdate: '1990-05-17' },
    });
    expect(match.body.similarity).toBeGreaterThan(1 - match.body.threshold);
    expect(match.body.metadata.box.width).toBeGreaterThan(0);

    const other = await recognise(personB).expect(200);
    expect(other.body.message).toBe('no_match');
  });

  it('refuses to enrol a face that already belongs to a user, naming that user', async () => {
    const res = await addUser({ name: 'Impostor', birthdate: '1990-01-01' }, personA2).expect(409);
    expect(res.body).toMatchObject({ status: 'error', error_code: 409 });
    expect(res.body.message).toContain(userA);
  });

  it('refuses a duplicate e-mail with 409 and leaves the req_id usable', async () => {
    const { body } = await recognise(personB).expect(200);
    const dup = await addUser({
      name: 'B',
      birthdate: '1985-02-03',
      email: 'a@example.com',
      req_id: body.req_id,
    }).expect(409);
    expect(dup.body.message).toBe('User already exists with this email');
    await addUser({ name: 'Person B', birthdate: '1985-02-03', req_id: body.req_id }).expect(201);
  });

  it('lets exactly one of two concurrent add_user calls consume a req_id', async () => {
    const { body } = await recognise(personC).expect(200);
    const prisma = t.app.get(PrismaService);
    const before = await prisma.user.count();
    const results = await Promise.all([
      addUser({ name: 'C1', birthdate: '1970-01-01', req_id: body.req_id }),
      addUser({ name: 'C2', birthdate: '1970-01-01', req_id: body.req_id }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 404]);
    expect(results.find((r) => r.status === 404)!.body.message).toMatch(/req_id/);
    expect(await prisma.user.count()).toBe(before + 1);
  });

  it('makes a req_id unusable once expired, before and after the cleanup job runs', async () => {
    const blurred = await sharp(personA).blur(1).jpeg().toBuffer();
    await request(server).delete(`/api/v1/users/${userA}`).set('x-api-key', manageKey).expect(204);
    const { body } = await recognise(blurred).expect(200);
    expect(body.message).toBe('no_match'); // Person A's faces went with the user.
    const prisma = t.app.get(PrismaService);
    const cached = await prisma.cachedFace.count();
    expect(cached).toBeGreaterThan(0);

    t.clock.advance(DAY_MS + 1000);
    await addUser({ name: 'Late', birthdate: '1990-05-17', req_id: body.req_id }).expect(404);
    const deleted = await t.app.get(CacheCleanupService).runOnce();
    expect(deleted).toBe(cached);
    expect(await prisma.cachedFace.count()).toBe(0);
  });
});

describe('recognition API errors and the other endpoints', () => {
  let t: TestApp;
  let server: Server;
  let key: string;
  let face: Buffer;
  let faceVariant: Buffer;
  let otherFace: Buffer;

  beforeAll(async () => {
    t = await startTestApp({ MAX_IMAGE_BYTES: String(2 * 1024 * 1024) });
    server = t.server;
    key = await t.key('recognise', 'enroll', 'manage');
    const sample = demoImage(1);
    const faces = await detectFaces(t.app, sample);
    const crops = await Promise.all(faces.slice(0, 2).map((f) => cropAround(sample, f.box)));
    [face, otherFace] = crops as [Buffer, Buffer];
    faceVariant = await variantOf(face);
  });

  afterAll(async () => {
    await t?.app.close();
  });

  const post = (path: string) => request(server).post(path).set('x-api-key', key);
  const expectEnvelope = (body: Record<string, unknown>, code: number) => {
    expect(body).toMatchObject({ status: 'error', error_code: code });
    expect(typeof body.message).toBe('string');
    expect(typeof body.requestId).toBe('string');
  };

  it('answers 601 when the image holds no face', async () => {
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7a9' } })
      .png()
      .toBuffer();
    const res = await post('/api/v1/recognise_user').attach('image', blank, 'blank.png').expect(400);
    expectEnvelope(res.body, 601);
    expect(res.body.message).toBe('Face not detected in the image');
  });

  it.each([
    ['a missing image', undefined, 400],
    ['an empty file', Buffer.alloc(0), 400],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), 415],
    ['a text file', Buffer.from('name,email\nada,ada@example.com\n'), 415],
  ])('refuses %s with a clear error', async (_label, bytes, status) => {
    const req = post('/api/v1/recognise_user');
    if (bytes) req.attach('image', bytes, 'upload.bin');
    const res = await req.expect(status);
    expectEnvelope(res.body, status);
  });

  it('refuses a truncated JPEG with 400 and an upload over MAX_IMAGE_BYTES with 413', async () => {
    const truncated = face.subarray(0, Math.floor(face.length / 2));
    expectEnvelope(
      (await post('/api/v1/recognise_user').attach('image', truncated, 't.jpg').expect(400)).body,
      400,
    );
    const huge = Buffer.concat([face, Buffer.alloc(3 * 1024 * 1024)]);
    expectEnvelope(
      (await post('/api/v1/recognise_user').attach('image', huge, 'h.jpg').expect(413)).body,
      413,
    );
  });

  it.each([
    [{ birthdate: '1990-01-01' }, 'name'],
    [{ name: 'X', birthdate: '2999-01-01' }, 'birthdate'],
    [{ name: 'X', birthdate: '2023-02-30' }, 'birthdate'],
    [{ name: 'X', birthdate: '01/02/1990' }, 'birthdate'],
    [{ name: 'X', birthdate: '1990-01-01', email: 'not-an-email' }, 'email'],
    [{ name: 'X', birthdate: '1990-01-01', req_id: "req-'; DROP TABLE users; --" }, 'req_id'],
    [{ name: 'X', birthdate: '1990-01-01', role: 'admin' }, 'role'],
  ])('validates add_user fields (%o → %s)', async (body, field) => {
    const res = await post('/api/v1/add_user').send(body).expect(400);
    expectEnvelope(res.body, 400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('needs exactly one of req_id and image', async () => {
    expectEnvelope(
      (await post('/api/v1/add_user').send({ name: 'X', birthdate: '1990-01-01' }).expect(400)).body,
      400,
    );
    const both = await post('/api/v1/add_user')
      .field('name', 'X')
      .field('birthdate', '1990-01-01')
      .field('req_id', `req-${'0'.repeat(32)}`)
      .attach('image', face, 'f.jpg')
      .expect(400);
    expectEnvelope(both.body, 400);
    const unknown = await post('/api/v1/add_user').send({
      name: 'X',
      birthdate: '1990-01-01',
      req_id: `req-${'0'.repeat(32)}`,
    });
    expect(unknown.status).toBe(404);
  });

  it('verifies two images and an image against a user, and identifies with an explicit unknown', async () => {
    const same = await post('/api/v1/verify')
      .attach('image1', face, 'a.jpg')
      .attach('image2', faceVariant, 'b.jpg')
      .expect(200);
    expect(same.body.verified).toBe(true);
    const different = await post('/api/v1/verify')
      .attach('image1', face, 'a.jpg')
      .attach('image2', otherFace, 'b.jpg')
      .expect(200);
    expect(different.body.verified).toBe(false);
    expect(different.body.distance).toBeGreaterThan(different.body.threshold);

    const unknown = await post('/api/v1/identify').attach('image', faceVariant, 'a.jpg').expect(200);
    expect(unknown.body).toMatchObject({ result: 'unknown', candidates: [] });

    const { body: user } = await post('/api/v1/add_user')
      .field('name', 'Vera')
      .field('birthdate', '1980-03-04')
      .attach('image', face, 'a.jpg')
      .expect(201);
    const byUser = await post('/api/v1/verify')
      .field('user_id', user.user_id)
      .attach('image1', faceVariant, 'a.jpg')
      .expect(200);
    expect(byUser.body.verified).toBe(true);
    const identified = await post('/api/v1/identify')
      .field('top_k', '3')
      .attach('image', faceVariant, 'a.jpg')
      .expect(200);
    expect(identified.body.result).toBe('identified');
    expect(identified.body.candidates[0].user_info.id).toBe(user.user_id);
    const missing = await post('/api/v1/verify')
      .field('user_id', '00000000-0000-4000-8000-000000000000')
      .attach('image1', face, 'a.jpg');
    expectEnvelope(missing.body, 404);
  });

  it('detects and embeds every face of a group photo', async () => {
    const detected = await post('/api/v1/faces/detect').attach('image', demoImage(1), 's.jpg').expect(200);
    expect(detected.body.faces.length).toBeGreaterThanOrEqual(3);
    expect(detected.body.faces[0].landmarks5).toHaveLength(5);
    // MTCNN (the default profile) gives five landmarks of its own.
    expect(detected.body.faces[0].landmarks).toHaveLength(5);
    const embedded = await post('/api/v1/faces/embed').attach('image', demoImage(1), 's.jpg').expect(200);
    expect(embedded.body.faces).toHaveLength(detected.body.faces.length);
    const vector: number[] = embedded.body.faces[0].embedding;
    expect(vector).toHaveLength(embedded.body.dimension);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
  });

  it('manages users and their faces, and reports stats with the mean embedding', async () => {
    const added = await post('/api/v1/add_user')
      .field('name', 'Ada Lovelace')
      .field('birthdate', '1900-12-10')
      .field('email', 'ada@example.com')
      .attach('image', otherFace, 'o.jpg');
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const a = added.body as { user_id: string };
    const list = await request(server)
      .get('/api/v1/users?name=lovelace&limit=5')
      .set('x-api-key', key)
      .expect(200);
    expect(list.body).toMatchObject({ total: 1, page: 1, limit: 5 });
    expect(list.body.items[0]).toMatchObject({ id: a.user_id, face_count: 1 });

    // A face of somebody else (Vera, enrolled above) cannot be added to Ada.
    const refused = await post(`/api/v1/users/${a.user_id}/faces`)
      .attach('image', faceVariant, 'v.jpg')
      .expect(409);
    expectEnvelope(refused.body, 409);

    const patched = await request(server)
      .patch(`/api/v1/users/${a.user_id}`)
      .set('x-api-key', key)
      .send({ name: 'Ada King' })
      .expect(200);
    expect(patched.body.name).toBe('Ada King');
    const detail = await request(server).get(`/api/v1/users/${a.user_id}`).set('x-api-key', key).expect(200);
    expect(detail.body.faces).toHaveLength(1);
    expect(detail.body.faces[0]).not.toHaveProperty('embedding');

    const stats = await request(server).get('/api/v1/stats').set('x-api-key', key).expect(200);
    expect(stats.body.users).toBeGreaterThanOrEqual(2);
    expect(stats.body.mean_embedding).toHaveLength(stats.body.dimension);
    expect(stats.body.recognitions).toBeGreaterThan(0);

    await request(server)
      .delete(`/api/v1/users/${a.user_id}/faces/${detail.body.faces[0].id}`)
      .set('x-api-key', key)
      .expect(204);
    await request(server).delete(`/api/v1/users/${a.user_id}`).set('x-api-key', key).expect(204);
    expectEnvelope(
      (await request(server).get(`/api/v1/users/${a.user_id}`).set('x-api-key', key).expect(404)).body,
      404,
    );
    expectEnvelope(
      (await request(server).get('/api/v1/users/not-a-uuid').set('x-api-key', key).expect(400)).body,
      400,
    );
  });
});

describe('1:N margin over the runner-up (MATCH_MARGIN)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A margin as wide as cosine distances go: with two people enrolled, nobody stands clear of the other.
    t = await startTestApp({ MATCH_MARGIN: '2' });
  });

  afterAll(async () => {
    await t?.app.close();
  });

  it('answers identify with "ambiguous" and recognise_user with no_match instead of guessing', async () => {
    const key = await t.key('recognise', 'enroll');
    const sample = demoImage(1);
    const faces = await detectFaces(t.app, sample);
    const [first, second] = await Promise.all(faces.slice(0, 2).map((f) => cropAround(sample, f.box)));
    const post = (path: string) => request(t.server).post(path).set('x-api-key', key);

    const enrol = (name: string, image: Buffer) =>
      post('/api/v1/add_user')
        .field('name', name)
        .field('birthdate', '1970-01-01')
        .attach('image', image, 'a.jpg');
    const { body: alone } = await enrol('First', first!).expect(201);
    // One user: no runner-up, so the margin cannot apply.
    const sole = await post('/api/v1/identify')
      .attach('image', await variantOf(first!), 'a.jpg')
      .expect(200);
    expect(sole.body).toMatchObject({ result: 'identified', margin: 2 });
    expect(sole.body.candidates[0].user_info.id).toBe(alone.user_id);

    await enrol('Second', second!).expect(201);
    const probe = await variantOf(first!);
    const identified = await post('/api/v1/identify').attach('image', probe, 'a.jpg').expect(200);
    expect(identified.body.result).toBe('ambiguous');
    expect(identified.body.candidates[0].user_info.id).toBe(alone.user_id);
    const recognised = await post('/api/v1/recognise_user').attach('image', probe, 'a.jpg').expect(200);
    expect(recognised.body).toMatchObject({ status: 'failure', message: 'no_match' });
  });
});

describe.skipIf(!HAS_LFW)('LFW pairs through the API (when ../shared/lfw-dev is present)', () => {
  let t: TestApp;
  let key: string;
  let pairs: Array<{ name: string; first: number; second: number }> = [];

  beforeAll(async () => {
    // Same-person pairs of LFW View 1 DevTest, one per person: enrol one photo, recognise the other.
    const lines = readFileSync(path.join(LFW_DIR, 'pairsDevTest.txt'), 'utf8')
      .trim()
      .split('\n')
      .slice(1, 60);
    const byName = new Map(
      lines
        .map((line) => line.split('\t'))
        .map(([name, i, j]) => [name!, { name: name!, first: Number(i), second: Number(j) }] as const),
    );
    pairs = [...byName.values()].slice(0, 12);
    t = await startTestApp();
    key = await t.key('recognise', 'enroll');
  });

  afterAll(async () => {
    await t?.app.close();
  });

  it("recognises most people's other photo as them, and at most one as somebody else", async () => {
    const ids = new Map<string, string>();
    for (const p of pairs) {
      const res = await request(t.server)
        .post('/api/v1/add_user')
        .set('x-api-key', key)
        .field('name', p.name)
        .field('birthdate', '1970-01-01')
        .attach('image', lfwImage(p.name, p.first), 'a.jpg');
      // A missed face (601) or a look-alike already enrolled (409) is a refusal; nothing else is acceptable.
      expect([201, 400, 409], JSON.stringify(res.body)).toContain(res.status);
      if (res.status === 201) ids.set(p.name, res.body.user_id);
    }
    let recognised = 0;
    let mistaken = 0;
    for (const p of pairs) {
      const res = await request(t.server)
        .post('/api/v1/recognise_user')
        .set('x-api-key', key)
        .attach('image', lfwImage(p.name, p.second), 'b.jpg');
      const matched: string | undefined = res.body.user_info?.id;
      if (matched !== undefined && matched === ids.get(p.name)) recognised++;
      else if (matched !== undefined) mistaken++;
    }
    // The default profile's threshold accepts about 1 % of different-person pairs on LFW (docs/benchmarks.md).
    expect(recognised / pairs.length).toBeGreaterThanOrEqual(0.75);
    expect(mistaken).toBeLessThanOrEqual(1);
  });
});
