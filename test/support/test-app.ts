import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type request from 'supertest';
import { configureApp } from '../../src/app.factory.js';
import { AppModule } from '../../src/app.module.js';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import type { ApiKeyScope } from '../../src/api-keys/api-key-scopes.js';
import { Clock } from '../../src/common/clock.js';
import { loadConfig } from '../../src/config/app-config.js';

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
  server: Server;
  clock: ManualClock;
  /** Creates a key with these scopes and returns its secret. */
  key(...scopes: ApiKeyScope[]): Promise<string>;
}

/**
 * The whole application — real models, real embedded database in memory — with a manual clock.
 * Logs are quiet unless a test asks for them.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig(
    {},
    { DATA_DIR: 'memory://', LOG_LEVEL: 'error', API_KEY_BOOTSTRAP: 'false', ...env },
  );
  const clock = new ManualClock();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = configureApp(moduleRef.createNestApplication({ logger: ['error'] }), config);
  await app.init();
  const keys = app.get(ApiKeysService);
  return {
    app,
    server: app.getHttpServer() as Server,
    clock,
    key: async (...scopes) => (await keys.create({ name: `test-${scopes.join('-')}`, scopes })).key,
  };
}
