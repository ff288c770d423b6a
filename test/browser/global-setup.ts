import { build } from 'vite';

/**
 * Builds the console before the browser tests, so they always drive the current source (a build
 * left from an earlier install or branch would pass or fail for the wrong reasons).
 */
export default async function setup(): Promise<void> {
  await build({ configFile: 'console/vite.config.ts', logLevel: 'warn' });
}
