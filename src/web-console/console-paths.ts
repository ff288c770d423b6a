import { statSync } from 'node:fs';
import path from 'node:path';

/** What a path under /console is: the app's page, a built file, or nothing. */
export type ConsoleTarget =
  { kind: 'page'; file: string } | { kind: 'asset' | 'file'; file: string } | { kind: 'missing' };

const INDEX = 'index.html';

/**
 * Maps the part of a URL after `/console` onto the build folder `root`. The console routes on the
 * client (`/console/users/…`), so a path that names no file and has no extension answers the page
 * itself; a path with an extension must be a real file (a missing script is a 404, not HTML that
 * the browser would then fail to run). Hidden names, `..` and encoded separators never match, so
 * nothing outside `root` can be read.
 */
export function resolveConsolePath(root: string, rest: string): ConsoleTarget {
  const page = { kind: 'page', file: path.join(root, INDEX) } as const;
  const segments = rest.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return page;
  const decoded: string[] = [];
  for (const segment of segments) {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return { kind: 'missing' };
    }
    if (name.startsWith('.') || /[/\\\0]/.test(name)) return { kind: 'missing' };
    decoded.push(name);
  }
  if (decoded.length === 1 && decoded[0] === INDEX) return page;
  const file = path.join(root, ...decoded);
  if (isFile(file)) return { kind: decoded[0] === 'assets' ? 'asset' : 'file', file };
  return path.extname(decoded[decoded.length - 1]!) === '' ? page : { kind: 'missing' };
}

export function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
