import { describe, expect, it } from 'vitest';
import { hasScopes, missingScopes, normalizeScopes, parseScopeList } from './api-key-scopes.js';

describe('scope checks', () => {
  it('needs every required scope', () => {
    expect(missingScopes(['recognise'], ['recognise'])).toEqual([]);
    expect(missingScopes(['recognise'], ['enroll'])).toEqual(['enroll']);
    expect(missingScopes(['recognise', 'enroll'], ['recognise', 'manage'])).toEqual(['manage']);
    expect(hasScopes([], ['recognise'])).toBe(false);
  });

  it('lets admin imply every other scope', () => {
    for (const scope of ['recognise', 'enroll', 'manage', 'admin'] as const)
      expect(hasScopes(['admin'], [scope])).toBe(true);
  });

  it('does not let any other scope imply admin', () => {
    expect(hasScopes(['recognise', 'enroll', 'manage'], ['admin'])).toBe(false);
  });

  it('drops unknown stored scopes instead of granting anything for them', () => {
    expect(normalizeScopes(['manage', 'root', 'recognise', 'manage'])).toEqual(['recognise', 'manage']);
  });
});

describe('parseScopeList', () => {
  it('parses the CLI form', () => {
    expect(parseScopeList('enroll, recognise')).toEqual(['recognise', 'enroll']);
  });

  it('refuses unknown and empty lists', () => {
    expect(() => parseScopeList('recognise,root')).toThrow(/Unknown scope\(s\): root/);
    expect(() => parseScopeList(' , ')).toThrow(/At least one scope/);
  });
});
