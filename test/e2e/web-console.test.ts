import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import { type Server, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The web console as the service serves it (a fixture build, so this runs without Vite), and the
 * endpoint the console signs in with. The console itself is tested in a browser (test/browser).
 */
describe('web console serving and GET /api/v1/api-keys/me', () => {
  let t: TestApp;
  let server: Server;
  let build: string;

  beforeAll(async () => {
    build = mkdtempSync(path.join(tmpdir(), 'console-build-'));
    mkdirSync(path.join(build, 'assets'));
    writeFileSync(path.join(build, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(path.join(build, 'assets', 'index-AbC123.js'), 'console.log(1)');
    t = await startTestApp({ CONSOLE_DIR: build, RATE_LIMIT_DEFAULT: '250', RATE_LIMIT_INFERENCE: '40' });
    server = t.server;
  });

  afterAll(async () => {
    await t?.app.close();
    rmSync(build, { recursive: true, force: true });
  });

  it('serves the page with a strict Content-Security-Policy, revalidated on every load', async () => {
    const res = await request(server).get('/console').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<title>console</title>');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers.etag).toBeDefined();
    await request(server)
      .get('/console')
      .set('If-None-Match', res.headers.etag as string)
      .expect(304);
  });

  it("answers the page for the console's own routes, so a reload or a shared link works", async () => {
    for (const route of [
      '/console/',
      '/console/users/0b8f6a2e-4c1d-4f7a-9a3e-2d5b6c7e8f90',
      '/console/stats',
    ]) {
      const res = await request(server).get(route).expect(200);
      expect(res.text, route).toContain('<title>console</title>');
    }
  });

  it('lets browsers keep hashed assets for a year', async () => {
    const res = await request(server).get('/console/assets/index-AbC123.js').expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers a missing file or a path outside the build with the 404 envelope, not the page', async () => {
    for (const route of [
      '/console/assets/index-Old999.js',
      '/console/%2e%2e/package.json',
      '/console/.hidden',
    ]) {
      const res = await request(server).get(route).expect(404);
      expect(res.body, route).toMatchObject({ status: 'error', error_code: 404 });
    }
  });

  it('sends a browser that opens the service to the console', async () => {
    const res = await request(server).get('/').redirects(0).expect(302);
    expect(res.headers.location).toBe('/console');
  });

  it('describes the calling key: scopes and the limits it is held to, never the secret', async () => {
    const key = await t.key('recognise');
    const { data, response } = await t.client(key).GET('/api/v1/api-keys/me');
    expect(response.status).toBe(200);
    expect(data).toMatchObject({
      name: 'test-recognise',
      scopes: ['recognise'],
      rate_limit_per_minute: null,
      inference_limit_per_minute: null,
      limits: { default: { limit: 250, window_seconds: 60 }, inference: { limit: 40, window_seconds: 60 } },
    });
    expect(key.startsWith(`${data!.prefix}_`)).toBe(true);
    expect(JSON.stringify(data)).not.toContain(key);
    expect(data).not.toHaveProperty('key');
  });

  it("reports a key's own limits as the ones in force", async () => {
    const created = await t.app
      .get(ApiKeysService)
      .create({ name: 'kiosk', scopes: ['metrics'], rateLimitPerMinute: 12, inferenceLimitPerMinute: 3 });
    const { data } = await t.client(created.key).GET('/api/v1/api-keys/me');
    expect(data).toMatchObject({
      id: created.id,
      scopes: ['metrics'],
      rate_limit_per_minute: 12,
      limits: { default: { limit: 12, window_seconds: 60 }, inference: { limit: 3, window_seconds: 60 } },
    });
  });

  it('refuses a request without a valid key with 401', async () => {
    const res = await request(server).get('/api/v1/api-keys/me').expect(401);
    expect(res.body).toMatchObject({ status: 'error', error_code: 401 });
    await request(server).get('/api/v1/api-keys/me').set('x-api-key', 'frk_live_nope').expect(401);
  });
});
