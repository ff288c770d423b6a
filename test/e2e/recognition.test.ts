import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorResponse, FaceClient, Schemas } from '../../client/index.js';
import { CacheCleanupService } from '../../src/cache-cleanup/cache-cleanup.service.js';
import { PrismaService } from '../../src/infra/database/prisma.service.js';
import { cropAround, demoImage, HAS_LFW, LFW_DIR, lfwImage, variantOf } from '../support/face-images.js';
import { detectFaces } from '../support/detect-faces.js';
import { type Server, startTestApp, type TestApp } from '../support/test-app.js';
import { imageFile, multipart } from '../support/uploads.js';

const DAY_MS = 24 * 60 * 60 * 1000;

type AddUserFields = Omit<Schemas['AddUserDto'], 'image'>;
type Recognised = Schemas['RecogniseMatchDto'] | Schemas['RecogniseNoMatchDto'];

/** The req_id of a no_match answer (failing the test on a match). */
function reqIdOf(result: Recognised | undefined): string {
  expect(result).toMatchObject({ status: 'failure', message: 'no_match' });
  return (result as Schemas['RecogniseNoMatchDto']).req_id;
}

/** Checks the error envelope of a failed typed-client call. */
function expectEnvelope(error: ErrorResponse | undefined, code: number): void {
  expect(error).toMatchObject({ status: 'error', error_code: code });
  expect(typeof error?.message).toBe('string');
  expect(typeof error?.requestId).toBe('string');
}

describe('recognise_user → req_id → add_user → recognised (real models, embedded database)', () => {
  let t: TestApp;
  let recogniser: FaceClient;
  let enroller: FaceClient;
  let manager: FaceClient;
  // Three different people cropped from one demo photo, and a second "photo" of the first.
  let personA: Buffer;
  let personA2: Buffer;
  let personB: Buffer;
  let personC: Buffer;
  let userA: string;

  const recognise = (image: Buffer) =>
    recogniser.POST('/api/v1/recognise_user', multipart({ image: imageFile(image) }));
  const addUser = (fields: AddUserFields, image?: Buffer) =>
    enroller.POST('/api/v1/add_user', multipart({ ...fields, ...(image && { image: imageFile(image) }) }));

  beforeAll(async () => {
    t = await startTestApp();
    const [recogniseKey, enrollKey, manageKey] = await Promise.all([
      t.key('recognise'),
      t.key('enroll'),
      t.key('manage'),
    ]);
    [recogniser, enroller, manager] = [t.client(recogniseKey), t.client(enrollKey), t.client(manageKey)];
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
    const { data, response } = await recognise(personA);
    expect(response.status).toBe(200);
    const reqId = reqIdOf(data);
    expect(reqId).toMatch(/^req-[0-9a-f]{32}$/);
    const noMatch = data as Schemas['RecogniseNoMatchDto'];
    const expiresIn = Date.parse(noMatch.expiresAt) - t.clock.now().getTime();
    expect(expiresIn).toBeGreaterThan(DAY_MS - 5000);
    expect(expiresIn).toBeLessThanOrEqual(DAY_MS);
    expect(noMatch.metadata).toMatchObject({ faces_detected: 1, face_selection: 'main' });
    expect(noMatch.metadata.detection_confidence).toBeGreaterThan(0.5);
    expect(noMatch.metadata.face_size).toBeGreaterThan(32);

    // JSON this time (add_user takes JSON or multipart).
    const added = await enroller.POST('/api/v1/add_user', {
      body: { name: 'Person A', birthdate: '1990-05-17', email: 'A@Example.com', req_id: reqId },
    });
    expect(added.response.status).toBe(201);
    expect(added.data).toMatchObject({ status: 'success', message: 'User added successfully' });
    userA = added.data!.user_id;

    // The req_id was consumed.
    const again = await addUser({ name: 'Again', birthdate: '1990-05-17', req_id: reqId });
    expect(again.response.status).toBe(404);
  });

  it('recognises the same person in a different image, and not a different person', async () => {
    const { data: match } = await recognise(personA2);
    expect(match).toMatchObject({
      status: 'success',
      message: 'Match found',
      user_info: { id: userA, name: 'Person A', email: 'a@example.com', birthdate: '1990-05-17' },
    });
    if (match?.status !== 'success') return;
    expect(match.similarity).toBeGreaterThan(1 - match.threshold);
    expect(match.metadata.box.width).toBeGreaterThan(0);

    const { data: other } = await recognise(personB);
    expect(other?.message).toBe('no_match');
  });

  it('refuses to enrol a face that already belongs to a user, naming that user', async () => {
    const { error, response } = await addUser({ name: 'Impostor', birthdate: '1990-01-01' }, personA2);
    expect(response.status).toBe(409);
    expectEnvelope(error, 409);
    expect(error?.message).toContain(userA);
    // The conflict names the user in `details` too (ConflictErrorResponseDto).
    expect(error).toMatchObject({ details: { user_id: userA } });
  });

  it('refuses a duplicate e-mail with 409 and leaves the req_id usable', async () => {
    const reqId = reqIdOf((await recognise(personB)).data);
    const dup = await addUser({
      name: 'B',
      birthdate: '1985-02-03',
      email: 'a@example.com',
      req_id: reqId,
    });
    expect(dup.response.status).toBe(409);
    expect(dup.error?.message).toBe('User already exists with this email');
    expect(dup.error).not.toHaveProperty('details');
    const added = await addUser({ name: 'Person B', birthdate: '1985-02-03', req_id: reqId });
    expect(added.response.status).toBe(201);
  });

  it('lets exactly one of two concurrent add_user calls consume a req_id', async () => {
    const reqId = reqIdOf((await recognise(personC)).data);
    const prisma = t.app.get(PrismaService);
    const before = await prisma.user.count();
    const results = await Promise.all([
      addUser({ name: 'C1', birthdate: '1970-01-01', req_id: reqId }),
      addUser({ name: 'C2', birthdate: '1970-01-01', req_id: reqId }),
    ]);
    expect(results.map((r) => r.response.status).sort()).toEqual([201, 404]);
    expect(results.find((r) => r.response.status === 404)!.error?.message).toMatch(/req_id/);
    expect(await prisma.user.count()).toBe(before + 1);
  });

  it('makes a req_id unusable once expired, before and after the cleanup job runs', async () => {
    const blurred = await sharp(personA).blur(1).jpeg().toBuffer();
    const deleted = await manager.DELETE('/api/v1/users/{id}', { params: { path: { id: userA } } });
    expect(deleted.response.status).toBe(204);
    // Person A's faces went with the user.
    const reqId = reqIdOf((await recognise(blurred)).data);
    const prisma = t.app.get(PrismaService);
    const cached = await prisma.cachedFace.count();
    expect(cached).toBeGreaterThan(0);

    t.clock.advance(DAY_MS + 1000);
    const late = await addUser({ name: 'Late', birthdate: '1990-05-17', req_id: reqId });
    expect(late.response.status).toBe(404);
    const removed = await t.app.get(CacheCleanupService).runOnce();
    expect(removed).toBe(cached);
    expect(await prisma.cachedFace.count()).toBe(0);
  });
});

describe('recognition API errors and the other endpoints', () => {
  let t: TestApp;
  let server: Server;
  let key: string;
  let api: FaceClient;
  let face: Buffer;
  let faceVariant: Buffer;
  let otherFace: Buffer;

  beforeAll(async () => {
    t = await startTestApp({ MAX_IMAGE_BYTES: String(2 * 1024 * 1024) });
    server = t.server;
    key = await t.key('recognise', 'enroll', 'manage');
    api = t.client(key);
    const sample = demoImage(1);
    const faces = await detectFaces(t.app, sample);
    const crops = await Promise.all(faces.slice(0, 2).map((f) => cropAround(sample, f.box)));
    [face, otherFace] = crops as [Buffer, Buffer];
    faceVariant = await variantOf(face);
  });

  afterAll(async () => {
    await t?.app.close();
  });

  // Raw requests, for bodies the typed client cannot express (a missing file, unknown fields).
  const post = (path: string) => request(server).post(path).set('x-api-key', key);
  const expectRawEnvelope = (body: Record<string, unknown>, code: number) =>
    expectEnvelope(body as ErrorResponse, code);
  const recognise = (image: Uint8Array, name = 'face.jpg') =>
    api.POST('/api/v1/recognise_user', multipart({ image: imageFile(image, name) }));

  it('answers 601 when the image holds no face', async () => {
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7a9' } })
      .png()
      .toBuffer();
    const { error, response } = await recognise(blank, 'blank.png');
    expect(response.status).toBe(400);
    expectEnvelope(error, 601);
    expect(error?.message).toBe('Face not detected in the image');
  });

  it('refuses an upload without an image with 400', async () => {
    expectRawEnvelope((await post('/api/v1/recognise_user').expect(400)).body, 400);
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 400],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), 415],
    ['a text file', Buffer.from('name,email\nada,ada@example.com\n'), 415],
  ])('refuses %s with a clear error', async (_label, bytes, status) => {
    const { error, response } = await recognise(bytes, 'upload.bin');
    expect(response.status).toBe(status);
    expectEnvelope(error, status);
  });

  it('refuses a truncated JPEG with 400 and an upload over MAX_IMAGE_BYTES with 413', async () => {
    const truncated = await recognise(face.subarray(0, Math.floor(face.length / 2)), 't.jpg');
    expect(truncated.response.status).toBe(400);
    expectEnvelope(truncated.error, 400);
    const huge = await recognise(Buffer.concat([face, Buffer.alloc(3 * 1024 * 1024)]), 'h.jpg');
    expect(huge.response.status).toBe(413);
    expectEnvelope(huge.error, 413);
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
    expectRawEnvelope(res.body, 400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('needs exactly one of req_id and image', async () => {
    const neither = await api.POST('/api/v1/add_user', { body: { name: 'X', birthdate: '1990-01-01' } });
    expect(neither.response.status).toBe(400);
    expectEnvelope(neither.error, 400);
    const both = await api.POST(
      '/api/v1/add_user',
      multipart({
        name: 'X',
        birthdate: '1990-01-01',
        req_id: `req-${'0'.repeat(32)}`,
        image: imageFile(face, 'f.jpg'),
      }),
    );
    expect(both.response.status).toBe(400);
    expectEnvelope(both.error, 400);
    const unknown = await api.POST('/api/v1/add_user', {
      body: { name: 'X', birthdate: '1990-01-01', req_id: `req-${'0'.repeat(32)}` },
    });
    expect(unknown.response.status).toBe(404);
  });

  it('verifies two images and an image against a user, and identifies with an explicit unknown', async () => {
    const verify = (body: Omit<Schemas['VerifyRequestDto'], 'image1'>, image1: Buffer) =>
      api.POST('/api/v1/verify', multipart({ ...body, image1: imageFile(image1, 'a.jpg') }));
    const identify = (image: Buffer, topK?: number) =>
      api.POST('/api/v1/identify', multipart({ image: imageFile(image, 'a.jpg'), top_k: topK }));

    const same = await verify({ image2: imageFile(faceVariant, 'b.jpg') }, face);
    expect(same.response.status).toBe(200);
    expect(same.data?.verified).toBe(true);
    const { data: different } = await verify({ image2: imageFile(otherFace, 'b.jpg') }, face);
    expect(different?.verified).toBe(false);
    expect(different!.distance).toBeGreaterThan(different!.threshold);

    const { data: unknown } = await identify(faceVariant);
    expect(unknown).toMatchObject({ result: 'unknown', candidates: [] });

    const { data: user, response } = await api.POST(
      '/api/v1/add_user',
      multipart({ name: 'Vera', birthdate: '1980-03-04', image: imageFile(face, 'a.jpg') }),
    );
    expect(response.status).toBe(201);
    const byUser = await verify({ user_id: user!.user_id }, faceVariant);
    expect(byUser.data?.verified).toBe(true);
    const { data: identified } = await identify(faceVariant, 3);
    expect(identified?.result).toBe('identified');
    expect(identified?.candidates[0]?.user_info.id).toBe(user!.user_id);
    const missing = await verify({ user_id: '00000000-0000-4000-8000-000000000000' }, face);
    expect(missing.response.status).toBe(404);
    expectEnvelope(missing.error, 404);
  });

  it('detects and embeds every face of a group photo', async () => {
    const upload = () => multipart({ image: imageFile(demoImage(1), 's.jpg') });
    const { data: detected } = await api.POST('/api/v1/faces/detect', upload());
    expect(detected!.faces.length).toBeGreaterThanOrEqual(3);
    expect(detected!.faces[0]!.landmarks5).toHaveLength(5);
    // MTCNN (the default profile) gives five landmarks of its own.
    expect(detected!.faces[0]!.landmarks).toHaveLength(5);
    const { data: embedded } = await api.POST('/api/v1/faces/embed', upload());
    expect(embedded!.faces).toHaveLength(detected!.faces.length);
    const vector = embedded!.faces[0]!.embedding;
    expect(vector).toHaveLength(embedded!.dimension);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
  });

  it('manages users and their faces, and reports stats with the mean embedding', async () => {
    const added = await api.POST(
      '/api/v1/add_user',
      multipart({
        name: 'Ada Lovelace',
        birthdate: '1900-12-10',
        email: 'ada@example.com',
        image: imageFile(otherFace, 'o.jpg'),
      }),
    );
    expect(added.response.status, JSON.stringify(added.error)).toBe(201);
    const userId = added.data!.user_id;
    const user = { params: { path: { id: userId } } };
    const list = await api.GET('/api/v1/users', { params: { query: { name: 'lovelace', limit: 5 } } });
    expect(list.response.status).toBe(200);
    expect(list.data).toMatchObject({ total: 1, page: 1, limit: 5 });
    expect(list.data!.items[0]).toMatchObject({ id: userId, face_count: 1 });

    // A face of somebody else (Vera, enrolled above) cannot be added to Ada.
    const refused = await api.POST('/api/v1/users/{id}/faces', {
      ...user,
      ...multipart({ image: imageFile(faceVariant, 'v.jpg') }),
    });
    expect(refused.response.status).toBe(409);
    expectEnvelope(refused.error, 409);

    const patched = await api.PATCH('/api/v1/users/{id}', { ...user, body: { name: 'Ada King' } });
    expect(patched.response.status).toBe(200);
    expect(patched.data?.name).toBe('Ada King');
    const { data: detail } = await api.GET('/api/v1/users/{id}', user);
    expect(detail!.faces).toHaveLength(1);
    expect(detail!.faces[0]).not.toHaveProperty('embedding');
    const faceOf = { params: { path: { id: userId, face_id: detail!.faces[0]!.id } } };
    const crop = await api.GET('/api/v1/users/{id}/faces/{face_id}/crop', { ...faceOf, parseAs: 'blob' });
    expect(crop.response.headers.get('content-type')).toBe('image/jpeg');
    expect(crop.data!.size).toBeGreaterThan(0);

    const { data: stats } = await api.GET('/api/v1/stats');
    expect(stats!.users).toBeGreaterThanOrEqual(2);
    expect(stats!.mean_embedding).toHaveLength(stats!.dimension);
    expect(stats!.recognitions).toBeGreaterThan(0);

    expect((await api.DELETE('/api/v1/users/{id}/faces/{face_id}', faceOf)).response.status).toBe(204);
    expect((await api.DELETE('/api/v1/users/{id}', user)).response.status).toBe(204);
    const gone = await api.GET('/api/v1/users/{id}', user);
    expect(gone.response.status).toBe(404);
    expectEnvelope(gone.error, 404);
    const invalid = await api.GET('/api/v1/users/{id}', { params: { path: { id: 'not-a-uuid' } } });
    expect(invalid.response.status).toBe(400);
    expectEnvelope(invalid.error, 400);
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
    const api = t.client(key);
    const upload = (image: Buffer) => multipart({ image: imageFile(image, 'a.jpg') });

    const enrol = async (name: string, image: Buffer) => {
      const res = await api.POST(
        '/api/v1/add_user',
        multipart({ name, birthdate: '1970-01-01', image: imageFile(image, 'a.jpg') }),
      );
      expect(res.response.status, JSON.stringify(res.error)).toBe(201);
      return res.data!;
    };
    const alone = await enrol('First', first!);
    // One user: no runner-up, so the margin cannot apply.
    const { data: sole } = await api.POST('/api/v1/identify', upload(await variantOf(first!)));
    expect(sole).toMatchObject({ result: 'identified', margin: 2 });
    expect(sole!.candidates[0]!.user_info.id).toBe(alone.user_id);

    await enrol('Second', second!);
    const probe = await variantOf(first!);
    const { data: identified } = await api.POST('/api/v1/identify', upload(probe));
    expect(identified!.result).toBe('ambiguous');
    expect(identified!.candidates[0]!.user_info.id).toBe(alone.user_id);
    const { data: recognised } = await api.POST('/api/v1/recognise_user', upload(probe));
    expect(recognised).toMatchObject({ status: 'failure', message: 'no_match' });
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
    const api = t.client(key);
    const ids = new Map<string, string>();
    for (const p of pairs) {
      const { data, error, response } = await api.POST(
        '/api/v1/add_user',
        multipart({ name: p.name, birthdate: '1970-01-01', image: imageFile(lfwImage(p.name, p.first)) }),
      );
      // A missed face (601) or a look-alike already enrolled (409) is a refusal; nothing else is acceptable.
      expect([201, 400, 409], JSON.stringify(error)).toContain(response.status);
      if (data) ids.set(p.name, data.user_id);
    }
    let recognised = 0;
    let mistaken = 0;
    for (const p of pairs) {
      const { data } = await api.POST(
        '/api/v1/recognise_user',
        multipart({ image: imageFile(lfwImage(p.name, p.second), 'b.jpg') }),
      );
      const matched = data?.status === 'success' ? data.user_info.id : undefined;
      if (matched !== undefined && matched === ids.get(p.name)) recognised++;
      else if (matched !== undefined) mistaken++;
    }
    // The default profile's threshold accepts about 1 % of different-person pairs on LFW (docs/benchmarks.md).
    expect(recognised / pairs.length).toBeGreaterThanOrEqual(0.75);
    expect(mistaken).toBeLessThanOrEqual(1);
  });
});
