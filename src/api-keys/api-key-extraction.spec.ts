import { describe, expect, it } from 'vitest';
import { extractApiKey, hasApiKeyInUrl } from './api-key-extraction.js';

describe('extractApiKey', () => {
  it('reads x-api-key first, then a Bearer token', () => {
    expect(extractApiKey({ 'x-api-key': ' k1 ' })).toBe('k1');
    expect(extractApiKey({ authorization: 'Bearer k2' })).toBe('k2');
    expect(extractApiKey({ authorization: 'bearer   k2 ' })).toBe('k2');
    expect(extractApiKey({ 'x-api-key': 'k1', authorization: 'Bearer k2' })).toBe('k1');
  });

  it('ignores other schemes and empty values', () => {
    expect(extractApiKey({})).toBeUndefined();
    expect(extractApiKey({ 'x-api-key': '  ' })).toBeUndefined();
    expect(extractApiKey({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
    expect(extractApiKey({ authorization: 'Bearer a b' })).toBeUndefined();
  });
});

describe('hasApiKeyInUrl', () => {
  it('spots key-like parameter names and key-shaped values', () => {
    expect(hasApiKeyInUrl('/x?api_key=abc')).toBe(true);
    expect(hasApiKeyInUrl('/x?API-KEY=abc')).toBe(true);
    expect(hasApiKeyInUrl('/x?apikey=abc')).toBe(true);
    expect(hasApiKeyInUrl('/x?x-api-key=abc')).toBe(true);
    expect(hasApiKeyInUrl('/x?access_token=abc')).toBe(true);
    expect(hasApiKeyInUrl('/x?q=frk_live_AbCd1234_secret')).toBe(true);
  });

  it('leaves ordinary queries alone', () => {
    expect(hasApiKeyInUrl('/x')).toBe(false);
    expect(hasApiKeyInUrl('/x?limit=10&name=key')).toBe(false);
    expect(hasApiKeyInUrl('/x?keyword=frk')).toBe(false);
  });
});
