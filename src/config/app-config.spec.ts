import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('gives working defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.server.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toMatch(/data$/);
    // No MATCH_THRESHOLD/MATCH_MARGIN: the serving profile's calibrated values apply (MatchPolicy).
    expect(config.matching.threshold).toBeUndefined();
    expect(config.matching.margin).toBeUndefined();
    expect(config.cache.ttlSeconds).toBe(86_400);
    // No FACE_PROFILE: the manifest's default profile.
    expect(config.models.profile).toBeUndefined();
    expect(config.models.dir).toMatch(/models$/);
    expect(config.crops).toEqual({ size: 224, quality: 90 });
  });

  it('parses numbers and keeps memory:// as is', () => {
    const config = loadConfig({
      PORT: '8080',
      DATA_DIR: 'memory://',
      MATCH_THRESHOLD: '0.1',
      MATCH_MARGIN: '0',
      TRUST_PROXY: '2',
      FACE_PROFILE: 'dlib',
      FACE_CROP_SIZE: '0',
    });
    expect(config.models.profile).toBe('dlib');
    expect(config.crops.size).toBe(0);
    expect(config.server.port).toBe(8080);
    expect(config.database.dataDir).toBe('memory://');
    expect(config.matching.threshold).toBe(0.1);
    expect(config.matching.margin).toBe(0);
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

  it('sets the HNSW search breadth from SEARCH_EF, 100 by default, and refuses values outside 1–1000', () => {
    expect(loadConfig({}).database.searchEf).toBe(100);
    expect(loadConfig({ SEARCH_EF: '1' }).database.searchEf).toBe(1);
    expect(loadConfig({ SEARCH_EF: '1000' }).database.searchEf).toBe(1000);
    for (const bad of ['0', '1001', '64.5', '-40', 'wide']) {
      expect(() => loadConfig({ SEARCH_EF: bad }), bad).toThrow(/SEARCH_EF=/);
    }
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).server.port).toBe(3000);
  });
});
