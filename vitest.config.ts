import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

// `npm run test:pg` runs the database-facing projects against a real PostgreSQL + pgvector
// (TEST_DATABASE_URL). Files that never touch the application database, or test the embedded
// engine itself, are the same in both tiers and are not run twice.
const REAL_SERVER_TIER = Boolean(process.env.TEST_DATABASE_URL);
const ENGINE_INDEPENDENT = [
  'test/integration/face-pipeline.test.ts',
  'test/integration/model-profiles.test.ts',
  'test/integration/data-dir-lock.test.ts',
  'test/e2e/openapi.test.ts',
  'test/e2e/server-process.test.ts',
];

// SWC compiles the sources so Nest's decorators get their metadata (esbuild does not emit it).
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    globals: false,
    environment: 'node',
    pool: 'forks',
    // The CI machine has 2 cores and the model tests saturate them; keep files from fighting.
    maxWorkers: 2,
    exclude: [...configDefaults.exclude, ...(REAL_SERVER_TIER ? ENGINE_INDEPENDENT : [])],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts', 'scripts/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'service', include: ['test/service/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], maxWorkers: 1 },
      },
      {
        // The web console in headless Chromium against the real service (not part of `test:pg`:
        // the console sees the same API whatever the database).
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          maxWorkers: 1,
        },
      },
    ],
  },
});
