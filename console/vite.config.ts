import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
// The service that `npm run console:dev` talks to: `npm start` in another terminal by default.
const api = process.env.CONSOLE_API_URL ?? 'http://127.0.0.1:3000';

/**
 * The web console's build: one HTML page and hashed scripts and styles under dist/console/assets,
 * served by the service at /console (src/web-console). Nothing inline is emitted, so the page runs
 * under the service's strict Content-Security-Policy.
 */
export default defineConfig({
  root: here('.'),
  base: '/console/',
  // Preact's JSX runtime, without a framework plugin (and the Babel it would bring).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/console'),
    emptyOutDir: true,
    target: 'es2022',
    // Every browser the console supports has modulepreload; the polyfill would be dead weight.
    modulePreload: { polyfill: false },
    // Assets stay files: the Content-Security-Policy allows no data: URIs.
    assetsInlineLimit: 0,
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(['/api', '/health', '/docs'].map((path) => [path, api])),
  },
});
