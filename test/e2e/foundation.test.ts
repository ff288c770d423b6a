import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Public } from '../../src/api-keys/api-key.decorators.js';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import { configureApp } from '../../src/app.factory.js';
import { AppModule } from '../../src/app.module.js';
import { loadConfig } from '../../src/config/app-config.js';
import { testDatabaseEnv } from '../support/database.js';
import type { Server } from '../support/test-app.js';

/** A route that fails the way a bug does, to prove internals never reach the client. */
@Controller('test-only')
class BrokenController {
  @Public()
  @Get('boom')
  boom(): never {
    throw new Error('connection string postgres://admin:hunter2@db/secret failed');
  }
}

@Module({ controllers: [BrokenController] })
class BrokenModule {}

describe('service foundation over HTTP', () => {
  let app: INestApplication;
  let server: Server;
  let database: Awaited<ReturnType<typeof testDatabaseEnv>>;

  beforeAll(async () => {
    database = await testDatabaseEnv();
    const config = loadConfig({}, { ...database.env, LOG_LEVEL: 'fatal', API_KEY_BOOTSTRAP: 'false' });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config), BrokenModule],
    }).compile();
    app = configureApp(moduleRef.createNestApplication({ logger: false }), config);
    await app.init();
    server = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await app?.close();
    await database?.release();
  });

  it('is live and ready once the database and models are up', async () => {
    await request(server).get('/health/live').expect(200);
    const ready = await request(server).get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: true, models: true } });
  });

  it('answers an unknown route with the error envelope and echoes the request id', async () => {
    const res = await request(server).get('/no/such/route').set('X-Request-Id', 'trace-42').expect(404);
    expect(res.body).toEqual({
      status: 'error',
      error_code: 404,
      message: expect.any(String),
      requestId: 'trace-42',
    });
    expect(res.headers['x-request-id']).toBe('trace-42');
  });

  it('replaces an unsafe client request id with its own', async () => {
    const res = await request(server).get('/health/live').set('X-Request-Id', 'bad id\twith spaces');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports every failing field of a validation error', async () => {
    const { key } = await app.get(ApiKeysService).create({ name: 'foundation', scopes: ['manage'] });
    const res = await request(server)
      .get('/api/v1/users?page=0&limit=1000&colour=red')
      .set('x-api-key', key)
      .expect(400);
    expect(res.body).toMatchObject({ status: 'error', error_code: 400, requestId: expect.any(String) });
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'colour',
      'limit',
      'page',
    ]);
  });

  it('answers malformed JSON with 400 in the envelope', async () => {
    const res = await request(server)
      .post('/api/v1/add_user')
      .set('content-type', 'application/json')
      .send('{"name":');
    expect([400, 401]).toContain(res.status);
    expect(res.body.status).toBe('error');
  });

  it('hides the internals of an unexpected error behind a bare 500', async () => {
    const res = await request(server).get('/test-only/boom').expect(500);
    expect(res.body).toEqual({
      status: 'error',
      error_code: 500,
      message: 'Internal server error',
      requestId: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
  });

  it('serves Swagger UI and a valid OpenAPI 3 document whose references all resolve', async () => {
    await request(server).get('/docs').expect(200);
    const { body: doc } = await request(server).get('/docs-json').expect(200);
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes['api-key']).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
    });
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const ref of refs)
      expect(doc.components.schemas).toHaveProperty(ref.split('/').pop()!.replace('"', ''));
    for (const [path, ops] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(
      doc.paths,
    )) {
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses).length, `${method} ${path} documents its responses`).toBeGreaterThan(
          0,
        );
        if (path.startsWith('/api/'))
          expect(op.responses, `${method} ${path} documents 500`).toHaveProperty('500');
      }
    }
  });
});
