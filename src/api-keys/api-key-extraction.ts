import type { IncomingHttpHeaders } from 'node:http';
import { API_KEY_PREFIX } from './api-key-secret.js';

/** Query parameter names that look like an attempt to pass a key in the URL. */
const KEY_PARAMETER = /^(x[-_]?)?api[-_]?key$|^access[-_]?token$/i;

/**
 * The key presented in `x-api-key`, else in `Authorization: Bearer <key>`; undefined when neither
 * is there. Only headers are read: query parameters leak into access logs and browser history.
 */
export function extractApiKey(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-api-key'];
  const direct = (Array.isArray(header) ? header[0] : header)?.trim();
  if (direct) return direct;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return bearer?.[1];
}

/**
 * Whether the URL's query string carries something meant as a key: a parameter named like one, or
 * any value in our key format. Such requests are refused, so the mistake is noticed at once.
 */
export function hasApiKeyInUrl(url: string): boolean {
  const query = url.indexOf('?');
  if (query < 0) return false;
  const params = new URLSearchParams(url.slice(query + 1));
  for (const [name, value] of params) {
    if (KEY_PARAMETER.test(name) || value.includes(API_KEY_PREFIX)) return true;
  }
  return false;
}
