import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConsolePath } from './console-paths.js';

describe('resolveConsolePath', () => {
  let root: string;
  const page = () => ({ kind: 'page', file: path.join(root, 'index.html') });

  beforeAll(() => {
    const parent = mkdtempSync(path.join(tmpdir(), 'console-'));
    root = path.join(parent, 'build');
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(root, 'assets', 'index-AbC123.js'), '');
    writeFileSync(path.join(root, 'favicon.svg'), '<svg/>');
    writeFileSync(path.join(root, '.env'), 'SECRET=1');
    writeFileSync(path.join(parent, 'outside.txt'), 'not served');
  });

  afterAll(() => rmSync(path.dirname(root), { recursive: true, force: true }));

  it('answers the page for the root, index.html and client routes', () => {
    expect(resolveConsolePath(root, '')).toEqual(page());
    expect(resolveConsolePath(root, '/')).toEqual(page());
    expect(resolveConsolePath(root, '/index.html')).toEqual(page());
    expect(resolveConsolePath(root, '/users/0b8f6a2e-4c1d-4f7a-9a3e-2d5b6c7e8f90')).toEqual(page());
  });

  it('tells hashed assets from other files', () => {
    expect(resolveConsolePath(root, '/assets/index-AbC123.js')).toEqual({
      kind: 'asset',
      file: path.join(root, 'assets', 'index-AbC123.js'),
    });
    expect(resolveConsolePath(root, '/favicon.svg')).toEqual({
      kind: 'file',
      file: path.join(root, 'favicon.svg'),
    });
  });

  it('answers missing for a file that is not there, rather than the page', () => {
    expect(resolveConsolePath(root, '/assets/index-Old999.js')).toEqual({ kind: 'missing' });
  });

  it('never reaches hidden files or outside the build', () => {
    for (const rest of [
      '/.env',
      '/../outside.txt',
      '/assets/../../outside.txt',
      '/%2e%2e/outside.txt',
      '/..%2foutside.txt',
      '/..%5coutside.txt',
      '/%00.js',
      '/%E0%A4%A.js',
    ]) {
      expect(resolveConsolePath(root, rest), rest).toEqual({ kind: 'missing' });
    }
  });
});
