import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import { PrismaService } from '../../src/infra/database/prisma.service.js';
import { startCapturedApp } from '../support/captured-app.js';
import { detectFaces } from '../support/detect-faces.js';
import { FailingRouteModule } from '../support/failing-route.module.js';
import { cropAround, demoImage } from '../support/face-images.js';
import { type Server, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Regression tests for defects found in hardening reviews; each one failed on the old behaviour.
 * The whole application runs in-process (real models, embedded database in memory).
 */

const MAX_IMAGE_BYTES = 1024 * 1024;
const HUGE_LIMIT = 1_000_000;

function expectEnvelope(body: Record<string, unknown>, code: number): void {
  expect(body).toMatchObject({ status: 'error', error_code: code });
  expect(typeof body.message).toBe('string');
}

/** The first field a 400's details name. */
function firstField(body: { details?: Array<{ field?: string }> }): string | undefined {
  return body.details?.[0]?.field;
}

describe('hardening: input, uploads, routes and metrics (one app)', () => {
  let t: TestApp;
  let server: Server;
  let adminKey: string;
  let recogniseKey: string;
  let metricsKey: string;
  let face: Buffer;

  beforeAll(async () => {
    t = await startTestApp({
      INFERENCE_WORKERS: '1',
      MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES),
      RATE_LIMIT_DEFAULT: String(HUGE_LIMIT),
      RATE_LIMIT_INFERENCE: String(HUGE_LIMIT),
    });
    server = t.server;
    [adminKey, recogniseKey, metricsKey] = await Promise.all([
      t.key('admin'),
      t.key('recognise'),
      t.key('metrics'),
    ]);
    const sample = demoImage(1);
    const [first] = await detectFaces(t.app, sample);
    face = await cropAround(sample, first!.box);
  });

  afterAll(async () => {
    await t?.app.close();
  });

  describe('control characters are a 400 naming the field, never a 500', () => {
    it.each([
      ['name', '\u0000'],
      ['email', '\u0000'],
      ['name', 'Ada\u0007Lovelace'],
      ['name', 'Ada\nLovelace'],
      ['email', 'ada\r\n@example.com'],
      ['name', 'Ada\u007f'],
    ])('GET /api/v1/users?%s=%j', async (field, value) => {
      const res = await request(server)
        .get('/api/v1/users')
        .query({ [field]: value })
        .set('x-api-key', adminKey);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expectEnvelope(res.body, 400);
      expect(firstField(res.body)).toBe(field);
    });

    it('in an API key name (JSON body)', async () => {
      const res = await request(server)
        .post('/api/v1/api-keys')
        .set('x-api-key', adminKey)
        .send({ name: 'a\u0000b', scopes: ['recognise'] });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expectEnvelope(res.body, 400);
      expect(firstField(res.body)).toBe('name');
    });

    it.each([
      ['name', 'Ada\u0000Lovelace'],
      ['name', 'Ada\u0007'],
      ['email', 'ada\u0000@example.com'],
    ])('in a multipart text field of add_user (%s=%j)', async (field, value) => {
      const fields: Record<string, string> = { name: 'Ada', birthdate: '1990-01-01', [field]: value };
      const req = request(server).post('/api/v1/add_user').set('x-api-key', adminKey);
      for (const [k, v] of Object.entries(fields)) req.field(k, v);
      const res = await req.attach('image', face, 'face.jpg');
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expectEnvelope(res.body, 400);
      expect(firstField(res.body)).toBe(field);
      expect(await t.app.get(PrismaService).user.count({ where: { name: { startsWith: 'Ada' } } })).toBe(0);
    });
  });

  it('treats % _ and \\ in the user filters as the characters themselves', async () => {
    const prisma = t.app.get(PrismaService);
    const birthdate = new Date('1990-01-01');
    await prisma.user.createMany({
      data: [
        { name: 'Quux', email: 'quux@example.com', birthdate },
        { name: '50% Quux', email: 'fifty@example.com', birthdate },
        { name: 'Under_score Quux', email: 'under_score@example.com', birthdate },
        { name: 'Back\\slash Quux', email: 'back@example.com', birthdate },
      ],
    });
    const names = async (query: Record<string, string>) => {
      const res = await request(server)
        .get('/api/v1/users')
        .query({ limit: '100', ...query })
        .set('x-api-key', adminKey);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.items as Array<{ name: string }>).map((u) => u.name).sort();
    };
    try {
      expect(await names({ name: 'quux' })).toHaveLength(4);
      expect(await names({ name: '%' })).toEqual(['50% Quux']);
      expect(await names({ name: '50%' })).toEqual(['50% Quux']);
      expect(await names({ name: '_' })).toEqual(['Under_score Quux']);
      expect(await names({ name: 'r_s' })).toEqual(['Under_score Quux']);
      expect(await names({ name: '\\' })).toEqual(['Back\\slash Quux']);
      expect(await names({ name: '%Quux' })).toEqual([]);
      expect(await names({ email: '_' })).toEqual(['Under_score Quux']);
      expect(await names({ email: '%' })).toEqual([]);
    } finally {
      await prisma.user.deleteMany({ where: { name: { endsWith: 'Quux' } } });
    }
  });

  it.each([
    [
      'with an XML declaration',
      '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>',
    ],
    [
      'without one',
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="20"/></svg>',
    ],
  ])('refuses an SVG %s with 415 and its own message', async (_label, svg) => {
    const res = await request(server)
      .post('/api/v1/recognise_user')
      .set('x-api-key', recogniseKey)
      .attach('image', Buffer.from(svg), { filename: 'face.svg', contentType: 'image/svg+xml' });
    expect(res.status, JSON.stringify(res.body)).toBe(415);
    expectEnvelope(res.body, 415);
    expect(res.body.message).toContain('not an image in a supported format');
    expect(res.body.message).not.toMatch(/vips|svgload|librsvg|VipsForeign/i);
  });

  it('refuses an upload over MAX_IMAGE_BYTES with 413 naming the limit in bytes', async () => {
    const huge = Buffer.concat([face, Buffer.alloc(MAX_IMAGE_BYTES + 512 * 1024)]);
    const res = await request(server)
      .post('/api/v1/recognise_user')
      .set('x-api-key', recogniseKey)
      .attach('image', huge, 'huge.jpg');
    expect(res.status).toBe(413);
    expectEnvelope(res.body, 413);
    expect(res.body.message).toContain(`${MAX_IMAGE_BYTES} bytes`);
  });

  it('redirects GET / to the web console, or to the API documentation where none is built', async () => {
    const res = await request(server).get('/').redirects(0);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(existsSync('dist/console/index.html') ? '/console' : '/docs');
  });

  it('serves /metrics only to a key with the metrics scope, in Prometheus text with the service metrics', async () => {
    const anonymous = await request(server).get('/metrics');
    expect(anonymous.status).toBe(401);
    expectEnvelope(anonymous.body, 401);
    const wrongScope = await request(server).get('/metrics').set('x-api-key', recogniseKey);
    expect(wrongScope.status).toBe(403);
    expectEnvelope(wrongScope.body, 403);

    const recognised = await request(server)
      .post('/api/v1/recognise_user')
      .set('x-api-key', recogniseKey)
      .attach('image', face, 'face.jpg');
    expect(recognised.status, JSON.stringify(recognised.body)).toBe(200);
    const outcome = recognised.body.status === 'success' ? 'match' : 'no_match';

    const res = await request(server).get('/metrics').set('x-api-key', metricsKey);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/recognise_user"[^}]*\} \d+/m,
    );
    expect(text).toMatch(
      new RegExp(
        `^face_match_outcomes_total\\{(?=[^}]*operation="recognise_user")(?=[^}]*outcome="${outcome}")[^}]*\\} 1$`,
        'm',
      ),
    );
    expect(text).toMatch(/^# TYPE inference_queue_depth gauge$/m);
    expect(text).toMatch(/^# TYPE db_pool_connections gauge$/m);
  });

  it('sends no CORS headers when CORS_ORIGINS is not set', async () => {
    const res = await request(server)
      .options('/api/v1/recognise_user')
      .set('Origin', 'https://console.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'x-api-key');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await request(server).get('/health/live').set('Origin', 'https://console.example.com');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers normally, with the rate-limit headers, at a limit of 1,000,000 requests', async () => {
    const plain = await request(server).get('/api/v1/users').set('x-api-key', adminKey);
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    expect(plain.headers['x-ratelimit-limit']).toBe(String(HUGE_LIMIT));
    expect(Number(plain.headers['x-ratelimit-remaining'])).toBeGreaterThan(HUGE_LIMIT - 100);
    expect(Number(plain.headers['x-ratelimit-reset'])).toBeGreaterThan(0);

    const inference = await request(server)
      .post('/api/v1/recognise_user')
      .set('x-api-key', recogniseKey)
      .attach('image', face, 'face.jpg');
    expect(inference.status, JSON.stringify(inference.body)).toBe(200);
    expect(inference.headers['x-ratelimit-limit-inference']).toBe(String(HUGE_LIMIT));
    expect(Number(inference.headers['x-ratelimit-remaining-inference'])).toBeGreaterThan(HUGE_LIMIT - 100);
  });
});

describe('hardening: API keys never reach the logs in full', () => {
  const PASTED = `frk_live_AbCd1234_${'Zx9'.repeat(14)}Q`;
  let app: INestApplication;
  let server: Server;
  let output: string[];

  beforeAll(async () => {
    ({ app, output } = await startCapturedApp(
      { API_KEY_BOOTSTRAP: 'false', LOG_LEVEL: 'log', INFERENCE_WORKERS: '1' },
      [FailingRouteModule],
    ));
    server = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await app?.close();
    vi.restoreAllMocks();
  });

  it('masks a key pasted into a URL path', async () => {
    expect(PASTED).toMatch(/^frk_live_[0-9A-Za-z]{8}_[0-9A-Za-z]{43}$/);
    const res = await request(server).get(`/api/v1/${PASTED}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    // The access log line is written when the response finishes.
    await vi.waitFor(() => expect(output.join('')).toContain('frk_live_AbCd1234_[redacted]'));
    expect(output.join('')).not.toContain(PASTED);
    expect(output.join('')).not.toContain(PASTED.slice(18));
  });

  it('masks the x-api-key of a request that fails with a 500, in the message and the stack', async () => {
    const created = await app.get(ApiKeysService).create({ name: 'hardening-logs', scopes: ['recognise'] });
    const key = created.key;
    const secret = key.slice(key.lastIndexOf('_') + 1);
    const before = output.length;
    const res = await request(server).get('/test-failing/echo-key').set('x-api-key', key);
    expect(res.status).toBe(500);
    expectEnvelope(res.body, 500);
    expect(JSON.stringify(res.body)).not.toContain(key);
    await vi.waitFor(() => expect(output.slice(before).join('')).toMatch(/GET \/test-failing\/echo-key 500/));
    const logged = output.slice(before).join('');
    // The error (with its stack) was logged, masked to the key's public prefix.
    expect(logged).toContain(`${key.slice(0, key.lastIndexOf('_'))}_[redacted]`);
    expect(output.join('')).not.toContain(key);
    expect(output.join('')).not.toContain(secret);
  });
});

describe('hardening: the decoding budget refuses what does not fit with 503 and Retry-After', () => {
  let t: TestApp;
  let image: Buffer;

  beforeAll(async () => {
    image = demoImage(1);
    const { width, height } = await sharp(image).metadata();
    const pixels = String(width! * height!);
    t = await startTestApp({
      INFERENCE_WORKERS: '1',
      MAX_IMAGE_PIXELS: pixels,
      DECODE_PIXEL_BUDGET: pixels,
      DECODE_QUEUE_TIMEOUT_MS: '0',
    });
  });

  afterAll(async () => {
    await t?.app.close();
  });

  it('serves one of two concurrent large uploads and refuses the other at once', async () => {
    const key = await t.key('recognise');
    const recognise = () =>
      request(t.server)
        .post('/api/v1/recognise_user')
        .set('x-api-key', key)
        .attach('image', image, 'big.jpg');
    const results = await Promise.all([recognise(), recognise()]);
    const refused = results.filter((r) => r.status === 503);
    const served = results.filter((r) => r.status !== 503);
    expect(refused, JSON.stringify(results.map((r) => [r.status, r.body]))).toHaveLength(1);
    expectEnvelope(refused[0]!.body, 503);
    expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(served).toHaveLength(1);
    expect([200, 400]).toContain(served[0]!.status);
    if (served[0]!.status === 400) expect(served[0]!.body.error_code).toBe(601);
    // The budget is free again afterwards.
    const after = await recognise();
    expect([200, 400]).toContain(after.status);
  });
});

describe('hardening: CORS follows CORS_ORIGINS', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ INFERENCE_WORKERS: '1', CORS_ORIGINS: 'https://console.example.com' });
  });

  afterAll(async () => {
    await t?.app.close();
  });

  const preflight = (origin: string) =>
    request(t.server)
      .options('/api/v1/recognise_user')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'x-api-key');

  it('allows a preflight from the configured origin', async () => {
    const res = await preflight('https://console.example.com');
    expect(res.status).toBeLessThan(300);
    expect(res.headers['access-control-allow-origin']).toBe('https://console.example.com');
    expect(res.headers['access-control-allow-headers']?.toLowerCase()).toContain('x-api-key');
  });

  it('does not allow one from another origin', async () => {
    const res = await preflight('https://evil.example.com');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await request(t.server).get('/health/live').set('Origin', 'https://evil.example.com');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });
});
