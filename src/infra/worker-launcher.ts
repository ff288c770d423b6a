import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Compiled builds run `inference.worker.js` directly. From TypeScript sources (vitest, tsx) the
 * worker is bootstrapped through tsx's `tsImport`: Node 20 does not apply `--import tsx` from a
 * worker's execArgv before loading its entry file.
 */
export function createWorker(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  // The ESM build of tsx's API; its CommonJS build registers hooks by a path that breaks in workers.
  const tsxDir = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((api) => api.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)}))`;
  return new Worker(code, { eval: true, workerData });
}
