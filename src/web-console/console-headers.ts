import type { ConsoleTarget } from './console-paths.js';

/**
 * The console's Content-Security-Policy: its own scripts, styles and API only — no inline script
 * or style, no other origin, never framed. Images and the webcam preview also come from object
 * URLs (`blob:`), which the console creates from uploads and stored face crops.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // The webcam is the only device the console uses, and only from its own pages.
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
};

/**
 * Hashed build assets never change under their name, so browsers keep them for a year; the page
 * is revalidated on every load (ETag), so a new build is picked up at once.
 */
const CACHE_CONTROL: Record<Exclude<ConsoleTarget['kind'], 'missing'>, string> = {
  page: 'no-cache',
  asset: 'public, max-age=31536000, immutable',
  file: 'public, max-age=3600',
};

export function consoleHeaders(kind: Exclude<ConsoleTarget['kind'], 'missing'>): Record<string, string> {
  return { ...SECURITY_HEADERS, 'Cache-Control': CACHE_CONTROL[kind] };
}
