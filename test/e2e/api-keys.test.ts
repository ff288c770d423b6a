import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PrismaService } from '../../src/infra/database/prisma.service.js';
import { ApiKeyProbeModule } from '../support/api-key-probe.module.js';
import { startCapturedApp } from '../support/captured-app.js';

const KEY_FORMAT = /frk_live_[0-9A-Za-z]{8}_[0-9A-Za-z]{43}/g;
const ANONYMOUS_LIMIT = 5;

type Server = Parameters<typeof request>[0];

describe('API keys over HTTP (embedded database)', () => {
  let app: INestApplication;
  let server: Server;
  let prisma: PrismaService;
  let adminKey: string;
  let output: string[];
  const createdKeys: string[] = [];
  let ipCounter = 0;

  // Anonymous calls are limited per IP; each test that makes them uses IPs of its own (the app
  // trusts X-Forwarded-For here), so tests do not eat each other's budget.
  const freshIp = () => `198.51.100.${++ipCounter}`;

  const createKey = async (body: Record<string, unknown>) => {
    const res = await request(server).post('/api/v1/api-keys').set('x-api-key', adminKey).send(body);
    expect(res.status).toBe(201);
    createdKeys.push(res.body.key as string);
    return res.body as { id: string; key: string; prefix: string; scopes: string[] };
  };

  beforeAll(async () => {
    ({ app, output } = await startCapturedApp(
      {
        LOG_LEVEL: 'verbose',
        TRUST_PROXY: 'true',
        API_KEY_BOOTSTRAP: 'true',
        RATE_LIMIT_DEFAULT: '1000',
        RATE_LIMIT_INFERENCE: '1000',
        RATE_LIMIT_ANONYMOUS: String(ANONYMOUS_LIMIT),
      },
      // Test-only routes marked exactly like the real controllers' routes.
      [ApiKeyProbeModule],
    ));
    server = app.getHttpServer() as Server;
    prisma = app.get(PrismaService);
    const printed = output.join('').match(KEY_FORMAT) ?? [];
    expect(printed).toHaveLength(1);
    adminKey = printed[0]!;
  });

  afterAll(async () => {
    await app?.close();
    vi.restoreAllMocks();
  });

  it('bootstraps exactly one admin key on an empty database', async () => {
    const res = await request(server).get('/api/v1/api-keys').set('x-api-key', adminKey).expect(200);
    expect(res.body).toMatchObject({ page: 1, limit: 20, total: 1 });
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ name: 'bootstrap-admin', scopes: ['admin'], revoked_at: null });
    expect(adminKey.startsWith(`${res.body.items[0].prefix}_`)).toBe(true);
  });

  it('answers 401 in the error envelope without a key, with a malformed key or an unknown key', async () => {
    const ip = freshIp();
    const missing = await request(server).get('/api/v1/api-keys').set('X-Forwarded-For', ip).expect(401);
    expect(missing.body).toMatchObject({ status: 'error', error_code: 401, requestId: expect.any(String) });
    expect(missing.body.message).toContain('x-api-key');

    const malformed = await request(server)
      .get('/api/v1/api-keys')
      .set('X-Forwarded-For', ip)
      .set('x-api-key', 'nope');
    expect(malformed.status).toBe(401);
    expect(malformed.body).toMatchObject({ error_code: 401, message: 'Invalid API key' });

    const unknown =
      `${adminKey.slice(0, -4)}AAAA` === adminKey
        ? `${adminKey.slice(0, -4)}BBBB`
        : `${adminKey.slice(0, -4)}AAAA`;
    const res = await request(server)
      .get('/api/v1/api-keys')
      .set('X-Forwarded-For', ip)
      .set('Authorization', `Bearer ${unknown}`);
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('Invalid API key');
    expect(JSON.stringify(res.body)).not.toContain(unknown);
  });

  it('accepts the key as a Bearer token and refuses it in the query string', async () => {
    await request(server).get('/api/v1/api-keys').set('Authorization', `Bearer ${adminKey}`).expect(200);
    for (const query of [`api_key=${adminKey}`, `apiKey=${adminKey}`, `token=${adminKey}`]) {
      const res = await request(server).get(`/api/v1/api-keys?${query}`).set('x-api-key', adminKey);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('not accepted in the URL');
      expect(JSON.stringify(res.body)).not.toContain(adminKey);
    }
  });

  it('lets public routes and the docs through without a key', async () => {
    const ip = freshIp();
    await request(server).get('/test-probe/public').set('X-Forwarded-For', ip).expect(200, { keyId: null });
    await request(server).get('/health/live').set('X-Forwarded-For', ip).expect(200);
    await request(server).get('/docs-json').set('X-Forwarded-For', ip).expect(200);
  });

  it('creates a key whose secret is shown once and never listed', async () => {
    const created = await createKey({
      name: ' ci ',
      scopes: ['recognise', 'enroll'],
      rate_limit_per_minute: 100,
    });
    expect(created.key).toMatch(new RegExp(`^${KEY_FORMAT.source}$`));
    expect(created).toMatchObject({
      name: 'ci',
      scopes: ['recognise', 'enroll'],
      rate_limit_per_minute: 100,
      inference_limit_per_minute: null,
    });
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);

    const list = await request(server).get('/api/v1/api-keys').set('x-api-key', adminKey).expect(200);
    expect(list.text).not.toContain(created.key);
    expect(list.text).not.toContain(adminKey);
    expect(list.text).not.toMatch(/hash/i);
    const listed = (list.body.items as Array<Record<string, unknown>>).find((k) => k.id === created.id);
    expect(listed && Object.keys(listed).sort()).toEqual(
      [
        'created_at',
        'id',
        'inference_limit_per_minute',
        'last_used_at',
        'name',
        'prefix',
        'rate_limit_per_minute',
        'revoked_at',
        'scopes',
      ].sort(),
    );
  });

  it('lists keys in the list envelope, a page at a time, oldest first', async () => {
    const all = await request(server).get('/api/v1/api-keys').set('x-api-key', adminKey).expect(200);
    const total = all.body.total as number;
    expect(total).toBeGreaterThanOrEqual(2);
    const second = await request(server)
      .get('/api/v1/api-keys?page=2&limit=1')
      .set('x-api-key', adminKey)
      .expect(200);
    expect(second.body).toMatchObject({ page: 2, limit: 1, total });
    expect(second.body.items.map((k: { id: string }) => k.id)).toEqual([all.body.items[1].id]);
    for (const query of ['page=0', 'limit=0', 'limit=101', 'page=x', 'sort=name']) {
      const res = await request(server).get(`/api/v1/api-keys?${query}`).set('x-api-key', adminKey);
      expect(res.status, query).toBe(400);
      expect(res.body).toMatchObject({ status: 'error', error_code: 400, details: expect.any(Array) });
    }
  });

  it('stores only the SHA-256 of a key', async () => {
    const created = await createKey({ name: 'hash-check', scopes: ['manage'] });
    const rows = await prisma.$queryRaw<{ key_hash: string; prefix: string }[]>`
      SELECT key_hash, prefix FROM api_keys WHERE id = ${created.id}::uuid`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_hash).not.toBe(created.key);
    expect(rows[0]!.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    const leaks = await prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM api_keys t WHERE position(${created.key} IN t::text) > 0`;
    expect(leaks[0]!.n).toBe(0);
  });

  it('refuses invalid create requests', async () => {
    for (const body of [
      { name: 'x', scopes: ['superuser'] },
      { name: 'x', scopes: [] },
      { name: '', scopes: ['admin'] },
      { name: 'x', scopes: ['admin'], rate_limit_per_minute: 0 },
      // The field names are snake_case; the old camelCase ones are unknown fields now.
      { name: 'x', scopes: ['admin'], rateLimitPerMinute: 10 },
    ]) {
      const res = await request(server).post('/api/v1/api-keys').set('x-api-key', adminKey).send(body);
      expect(res.status).toBe(400);
      expect(res.body.status).toBe('error');
    }
  });

  it('enforces each scope and answers 403 across the boundaries', async () => {
    const keys = {
      recognise: (await createKey({ name: 's-recognise', scopes: ['recognise'] })).key,
      enroll: (await createKey({ name: 's-enroll', scopes: ['enroll'] })).key,
      manage: (await createKey({ name: 's-manage', scopes: ['manage'] })).key,
      admin: (await createKey({ name: 's-admin', scopes: ['admin'] })).key,
    };
    const routes = [
      { scope: 'recognise', call: () => request(server).get('/test-probe/recognise') },
      { scope: 'enroll', call: () => request(server).post('/test-probe/enroll') },
      { scope: 'manage', call: () => request(server).get('/test-probe/manage') },
      { scope: 'admin', call: () => request(server).get('/api/v1/api-keys') },
      { scope: 'admin', call: () => request(server).get('/test-probe/undeclared') },
    ];
    for (const [held, key] of Object.entries(keys)) {
      for (const route of routes) {
        const res = await route.call().set('x-api-key', key);
        const allowed = held === 'admin' || held === route.scope;
        expect({ held, route: route.scope, status: res.status }).toEqual({
          held,
          route: route.scope,
          status: allowed ? 200 : 403,
        });
        if (!allowed)
          expect(res.body).toMatchObject({
            status: 'error',
            error_code: 403,
            message: expect.stringContaining(route.scope),
          });
      }
    }
  });

  it('attaches the key to the request and records its use', async () => {
    const created = await createKey({ name: 'usage', scopes: ['recognise'] });
    await request(server)
      .get('/test-probe/recognise')
      .set('x-api-key', created.key)
      .expect(200, { keyId: created.id });
    // lastUsedAt is written in the background.
    await vi.waitFor(async () => {
      const row = await prisma.apiKey.findUnique({ where: { id: created.id } });
      expect(row?.lastUsedAt).toBeInstanceOf(Date);
    });
  });

  it('revokes a key: refused with 401 from the very next request', async () => {
    const created = await createKey({ name: 'to-revoke', scopes: ['recognise'] });
    await request(server).get('/test-probe/recognise').set('x-api-key', created.key).expect(200);
    const revoked = await request(server)
      .delete(`/api/v1/api-keys/${created.id}`)
      .set('x-api-key', adminKey)
      .expect(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    const res = await request(server)
      .get('/test-probe/recognise')
      .set('x-api-key', created.key)
      .set('X-Forwarded-For', freshIp());
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error_code: 401, message: 'This API key has been revoked' });

    await request(server)
      .delete('/api/v1/api-keys/00000000-0000-4000-8000-000000000000')
      .set('x-api-key', adminKey)
      .expect(404);
    await request(server).delete('/api/v1/api-keys/not-a-uuid').set('x-api-key', adminKey).expect(400);
  });

  it('limits a key to its own per-minute limit, answers 429 with Retry-After, and leaves other keys alone', async () => {
    const limited = await createKey({ name: 'limited', scopes: ['manage'], rate_limit_per_minute: 3 });
    const other = await createKey({ name: 'unlimited', scopes: ['manage'] });
    for (let i = 1; i <= 3; i++) {
      const res = await request(server).get('/test-probe/manage').set('x-api-key', limited.key).expect(200);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(3 - i));
    }
    const refused = await request(server).get('/test-probe/manage').set('x-api-key', limited.key);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ status: 'error', error_code: 429, requestId: expect.any(String) });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // The sliding-window estimate weighs the previous minute's hits as if spread evenly, so the
    // wait can run past the window's end (at most (2 − (limit − 1)/limit) windows; unit-tested).
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(60 * (2 - 2 / 3)));
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');

    const unaffected = await request(server)
      .get('/test-probe/manage')
      .set('x-api-key', other.key)
      .expect(200);
    expect(unaffected.headers['x-ratelimit-limit']).toBe('1000');
  });

  it('counts inference routes against the stricter inference tier only there', async () => {
    const key = (
      await createKey({ name: 'inference', scopes: ['recognise', 'enroll'], inference_limit_per_minute: 2 })
    ).key;
    for (let i = 0; i < 2; i++) {
      const res = await request(server).get('/test-probe/recognise').set('x-api-key', key).expect(200);
      expect(res.headers['x-ratelimit-limit-inference']).toBe('2');
    }
    const refused = await request(server).get('/test-probe/recognise').set('x-api-key', key).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const other = await request(server).post('/test-probe/enroll').set('x-api-key', key).expect(200);
    expect(other.headers['x-ratelimit-limit-inference']).toBeUndefined();
  });

  it('limits unauthenticated callers per IP, failed attempts included, but never health probes', async () => {
    const ip = freshIp();
    for (let i = 0; i < ANONYMOUS_LIMIT; i++) {
      await request(server)
        .get('/api/v1/api-keys')
        .set('X-Forwarded-For', ip)
        .set('x-api-key', 'guess')
        .expect(401);
    }
    const refused = await request(server).get('/test-probe/public').set('X-Forwarded-For', ip).expect(429);
    expect(refused.headers['retry-after']).toBeDefined();
    await request(server).get('/test-probe/public').set('X-Forwarded-For', freshIp()).expect(200);
    for (let i = 0; i < ANONYMOUS_LIMIT + 2; i++)
      await request(server).get('/health/live').set('X-Forwarded-For', ip).expect(200);
  });

  it('never writes a created key to the logs', async () => {
    // Let the request logger's 'finish' handlers run.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logs = output.join('');
    expect(logs).toContain('GET /api/v1/api-keys');
    expect(createdKeys.length).toBeGreaterThan(5);
    for (const key of createdKeys) expect(logs).not.toContain(key);
    // The bootstrap key is the one deliberate exception: printed exactly once.
    expect(logs.split(adminKey)).toHaveLength(2);
  });
});
