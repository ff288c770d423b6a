import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config.js';
import { RootController } from './root.controller.js';
import { WebConsoleService } from './web-console.service.js';

const service = (console: AppConfig['console']) => new WebConsoleService({ console } as AppConfig);
const noResponse = {} as Response;

describe('WebConsoleService without a console to serve', () => {
  let empty: string;
  let built: string;

  beforeAll(() => {
    empty = mkdtempSync(path.join(tmpdir(), 'console-empty-'));
    built = mkdtempSync(path.join(tmpdir(), 'console-built-'));
    writeFileSync(path.join(built, 'index.html'), '<!doctype html>');
  });

  afterAll(() => {
    rmSync(empty, { recursive: true, force: true });
    rmSync(built, { recursive: true, force: true });
  });

  it('answers a 404 that says how to build the console when there is no build', () => {
    const missing = service({ enabled: true, dir: empty });
    expect(missing.available).toBe(false);
    expect(() => missing.send('/', noResponse)).toThrow(
      expect.objectContaining({ httpStatus: 404, message: expect.stringContaining('npm run console:build') }),
    );
  });

  it('answers a 404 naming the setting when the console is turned off, even with a build', () => {
    const off = service({ enabled: false, dir: built });
    expect(off.available).toBe(false);
    expect(() => off.send('/', noResponse)).toThrow(
      expect.objectContaining({ httpStatus: 404, message: expect.stringContaining('CONSOLE_ENABLED=false') }),
    );
  });

  it('sends / to the console only when there is one', () => {
    expect(new RootController(service({ enabled: true, dir: built })).root()).toEqual({ url: '/console' });
    expect(new RootController(service({ enabled: true, dir: empty })).root()).toBeUndefined();
  });
});
