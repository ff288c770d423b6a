import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, DEFAULT_MATCH_THRESHOLD, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('gives working defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.server.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toMatch(/data$/);
    expect(config.matching.threshold).toBe(DEFAULT_MATCH_THRESHOLD);
    expect(config.cache.ttlSeconds).toBe(86_400);
    expect(config.models.embedderPath).toMatch(/face_recognition\.onnx$/);
  });

  it('parses numbers and keeps memory:// as is', () => {
    const config = loadConfig({
      PORT: '8080',
      DATA_DIR: 'memory://',
      MATCH_THRESHOLD: '0.1',
      TRUST_PROXY: '2',
    });
    expect(config.server.port).toBe(8080);
    expect(config.database.dataDir).toBe('memory://');
    expect(config.matching.threshold).toBe(0.1);
    expect(config.server.trustProxy).toBe(2);
  });

  it('lists every invalid variable in one error', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', MATCH_THRESHOLD: '5', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigValidationError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigValidationError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'MATCH_THRESHOLD', 'LOG_LEVEL'])
        expect(problems).toContain(name);
    }
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).server.port).toBe(3000);
  });
});
