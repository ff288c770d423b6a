import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_PREFIX,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  normalizeKeyPrefix,
  randomBase62,
  SECRET_LENGTH,
} from './api-key-secret.js';

describe('generateApiKey', () => {
  it('has the recognisable format frk_live_<8-char id>_<43-char secret>', () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^frk_live_[0-9A-Za-z]{8}_[0-9A-Za-z]{43}$/);
    expect(prefix).toMatch(/^frk_live_[0-9A-Za-z]{8}$/);
    expect(key.startsWith(`${prefix}_`)).toBe(true);
    expect(hash).toBe(hashApiKey(key));
    expect(isWellFormedApiKey(key)).toBe(true);
  });

  it('carries at least 256 bits of randomness in the secret', () => {
    expect(SECRET_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(256);
  });

  it('never repeats and uses every base62 character about equally often', () => {
    const keys = Array.from({ length: 2000 }, () => generateApiKey().key);
    expect(new Set(keys).size).toBe(keys.length);
    const counts = new Map<string, number>();
    for (const key of keys)
      for (const char of key.slice(API_KEY_PREFIX.length)) counts.set(char, (counts.get(char) ?? 0) + 1);
    counts.delete('_');
    expect(counts.size).toBe(62);
    const expected = (2000 * (8 + SECRET_LENGTH)) / 62; // ≈ 1645 per character
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.15);
  });
});

describe('randomBase62', () => {
  it('drops bytes of 248 and above so that no character is favoured', () => {
    const bytes = [255, 248, 0, 61, 62, 247];
    const source = (size: number) =>
      Buffer.from(Array.from({ length: size }, (_, i) => bytes[i % bytes.length]!));
    // 0 → '0', 61 → 'z', 62 → '0', 247 → 247 % 62 = 61 → 'z'
    expect(randomBase62(4, source)).toBe('0z0z');
  });
});

describe('hashApiKey', () => {
  it('is the hex SHA-256 of the whole key, and never the key itself', () => {
    const key = generateApiKey().key;
    const hash = hashApiKey(key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hash).not.toContain(key.slice(-20));
  });
});

describe('isWellFormedApiKey', () => {
  it('refuses anything not exactly in the key format', () => {
    const key = generateApiKey().key;
    for (const bad of [
      '',
      'frk_live_',
      key.slice(0, -1),
      `${key}x`,
      key.replace('frk_live_', 'frk_test_'),
      ` ${key}`,
      `${key.slice(0, -1)}-`,
    ]) {
      expect(isWellFormedApiKey(bad)).toBe(false);
    }
  });
});

describe('normalizeKeyPrefix', () => {
  it('accepts a full prefix or its 8-character id', () => {
    expect(normalizeKeyPrefix('frk_live_AbCd1234')).toBe('frk_live_AbCd1234');
    expect(normalizeKeyPrefix('AbCd1234')).toBe('frk_live_AbCd1234');
    expect(normalizeKeyPrefix('AbCd123')).toBeUndefined();
    expect(normalizeKeyPrefix('frk_live_AbCd1234_x')).toBeUndefined();
  });
});
