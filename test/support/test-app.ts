import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type request from 'supertest';
import { createFaceClient, type FaceClient } from '../../client/index.js';
import { configureApp } from '../../src/app.factory.js';
import { AppModule } from '../../src/app.module.js';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import type { ApiKeyScope } from '../../src/api-keys/api-key-scopes.js';
import { Clock } from '../../src/common/clock.js';
import { loadConfig } from '../../src/config/app-config.js';
import { createServerDatabase, TEST_SERVER_URL } from './database.js';

export type Server = Parameters<typeof request>[0];

/** A clock the test moves by hand, so expiry is tested without sleeping. */
export class ManualClock extends Clock {
  private current = new Date();

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestApp {
  app: INestApplication;
  /** The HTTP server, listening on an ephemeral port of 127.0.0.1 (for supertest). */
  server: Server;
  /** Where the app listens, e.g. `http://127.0.0.1:41234`. */
  baseUrl: string;
  clock: ManualClock;
  /** Creates a key with these scopes and returns its secret. */
  key(...scopes: ApiKeyScope[]): Promise<string>;
  /** The typed API client (client/index.ts) sending this key, over real HTTP. */
  client(key: string): FaceClient;
}

/**
 * The whole application — real models, a real database — with a manual clock, listening on an
 * ephemeral local port so the typed client can call it. The database is the embedded one in
 * memory, or in the real-server tier (`npm run test:pg`) a fresh database on that server, dropped
 * when the app closes. Logs are quiet unless a test asks for them.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database =
    TEST_SERVER_URL && !env.DATABASE_URL ? await createServerDatabase(TEST_SERVER_URL) : undefined;
  const config = loadConfig(
    {},
    {
      DATA_DIR: 'memory://',
      LOG_LEVEL: 'error',
      API_KEY_BOOTSTRAP: 'false',
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...env,
    },
  );
  const clock = new ManualClock();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = configureApp(moduleRef.createNestApplication({ logger: ['error'] }), config);
  if (database) {
    // Dropped after the app (and its pool) has shut down.
    const close = app.close.bind(app);
    app.close = async () => {
      try {
        await close();
      } finally {
        await database.close();
      }
    };
  }
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as HttpServer;
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keys = app.get(ApiKeysService);
  return {
    app,
    server: server as Server,
    baseUrl,
    clock,
    key: async (...scopes) => (await keys.create({ name: `test-${scopes.join('-')}`, scopes })).key,
    client: (key) => createFaceClient(baseUrl, { apiKey: key }),
  };
}
