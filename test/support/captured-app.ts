import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { vi } from 'vitest';
import { configureApp } from '../../src/app.factory.js';
import { AppModule } from '../../src/app.module.js';
import { AppLogger } from '../../src/common/logging/app-logger.js';
import { loadConfig } from '../../src/config/app-config.js';

export interface CapturedApp {
  app: INestApplication;
  /** Everything the process wrote to stdout and stderr since the app was created: its logs. */
  output: string[];
}

/**
 * The whole application on the in-memory embedded database, plus test-only modules, with its log
 * output captured instead of printed (tests can then assert what never reaches the logs).
 * `vi.restoreAllMocks()` in afterAll gives the streams back.
 */
export async function startCapturedApp(
  env: Record<string, string>,
  extraModules: Type[] = [],
): Promise<CapturedApp> {
  const output: string[] = [];
  const capture = (chunk: unknown) => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  const config = loadConfig({}, { DATA_DIR: 'memory://', ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config), ...extraModules],
  }).compile();
  const app = configureApp(
    moduleRef.createNestApplication({ logger: new AppLogger(config.server.logLevel) }),
    config,
  );
  await app.init();
  return { app, output };
}
