import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { BenchApiClient } from './api-client.js';
import { info } from './report.js';

/**
 * The service as a child process, the way a user runs it (`node dist/main.js`), for benchmarks
 * that go through HTTP: a fresh embedded database in a temporary folder, rate limits lifted,
 * the bootstrap admin key read from the boot output and exchanged for a scoped key.
 */

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The shape of the key the service prints once on first start (see api-key-secret.ts). */
const BOOTSTRAP_KEY = /frk_live_[0-9A-Za-z]{8}_[0-9A-Za-z]{43}/;

/** Limits far above anything two cores can serve, so the benchmark measures the service, not 429s. */
export const UNLIMITED_RATES = {
  RATE_LIMIT_DEFAULT: '1000000',
  RATE_LIMIT_INFERENCE: '1000000',
  RATE_LIMIT_ANONYMOUS: '1000000',
};

export interface ServiceHandle {
  url: string;
  /** A key with the scopes the benchmark asked for. */
  key: string;
  /** The server process, when this benchmark started it (for CPU and memory readings). */
  pid?: number;
  /** The embedded database folder, when this benchmark started the service. */
  dataDir?: string;
  stop(): Promise<void>;
}

export interface StartServiceOptions {
  label: string;
  /** The model profile to serve (FACE_PROFILE); the environment's or the manifest's default when absent. */
  profile?: string;
  /** Extra environment for the service (e.g. MATCH_THRESHOLD). */
  env?: Record<string, string>;
  /** Reuse this database folder (a restart); a fresh temporary one otherwise. */
  dataDir?: string;
  /**
   * A PostgreSQL database to use instead of the embedded one — one that this benchmark created
   * for itself (see bench-database.ts), never a real deployment's.
   */
  databaseUrl?: string;
  /** Pin the service to these CPUs (`taskset -c`, e.g. "0" or "2-3"): one instance per core set. */
  cpus?: string;
  /** A key already valid in `dataDir`'s database; without one the bootstrap key is captured. */
  key?: string;
  scopes?: string[];
  readyTimeoutMs?: number;
}

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let cleanupInstalled = false;

/** Children must not outlive the benchmark, whether it ends normally, throws or is interrupted. */
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(130));
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || /\.(spec|test)\.ts$/.test(entry.name)) continue;
    newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds `dist/` when it is missing or older than `src/`, so the benchmark never measures stale
 * code. `skip` (`--no-build`) only warns.
 */
export function ensureBuilt(skip: boolean): void {
  const main = path.join(REPO_ROOT, 'dist', 'main.js');
  const stale = !existsSync(main) || newestMtime(path.join(REPO_ROOT, 'src')) > statSync(main).mtimeMs;
  if (!stale) return;
  if (skip) {
    info('warning: dist/ is missing or older than src/ (--no-build given, measuring it anyway)');
    return;
  }
  info('dist/ is missing or older than src/: running `npm run build`');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: ['ignore', 2, 2] });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('/health/ready', url), { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Starts `node dist/main.js` and resolves once `/health/ready` answers and a key with `scopes`
 * exists. The child's output is kept (last 200 lines) and shown if it fails to start.
 */
export async function startService(
  options: StartServiceOptions,
): Promise<ServiceHandle & { dataDir: string }> {
  installCleanup();
  let dataDir = options.dataDir;
  if (!dataDir) {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'frk-bench-'));
    tempDirs.add(temp);
    dataDir = path.join(temp, 'db');
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    API_KEY_BOOTSTRAP: 'true',
    ...UNLIMITED_RATES,
    ...(options.profile && { FACE_PROFILE: options.profile }),
    ...options.env,
  };
  // The embedded database in a fresh folder unless the benchmark created a server database for
  // itself: a benchmark must never write into a real deployment's data, so an inherited
  // DATABASE_URL is ignored.
  delete env.DATABASE_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  // A key given means the database already has one: do not print another bootstrap key.
  if (options.key) env.API_KEY_BOOTSTRAP = 'false';

  const started = Date.now();
  const main = path.join(REPO_ROOT, 'dist', 'main.js');
  const [command, argv] = options.cpus
    ? ['taskset', ['-c', options.cpus, process.execPath, main]]
    : [process.execPath, [main]];
  const child = spawn(command, argv, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const lines: string[] = [];
  let bootstrapKey: string | undefined;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    bootstrapKey ??= BOOTSTRAP_KEY.exec(text)?.[0];
    for (const line of text.split('\n')) if (line.trim()) lines.push(line);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    running.delete(child);
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  const fail = (why: string) => {
    child.kill('SIGKILL');
    return new Error(
      `${options.label}: the service ${why}. Its last output:\n${lines.slice(-40).join('\n')}`,
    );
  };

  const deadline = started + (options.readyTimeoutMs ?? 300_000);
  while (!(await isReady(url))) {
    if (exited) throw fail(exited);
    if (Date.now() > deadline) throw fail('did not become ready in time');
    await sleep(250);
  }
  // The banner is logged before the server listens; allow its pipe a moment to be read.
  for (let i = 0; i < 20 && !options.key && !bootstrapKey; i++) await sleep(50);

  let key = options.key;
  if (!key) {
    if (!bootstrapKey) throw fail('printed no bootstrap admin key (was the database not fresh?)');
    const admin = new BenchApiClient(url, bootstrapKey);
    const created = await admin.postJson('/api/v1/api-keys', {
      name: `bench-${options.label}`,
      scopes: options.scopes ?? ['recognise', 'enroll'],
    });
    const scoped = created.body?.key;
    if (created.status !== 201 || typeof scoped !== 'string') {
      throw fail(`refused to create a scoped key (HTTP ${created.status}: ${JSON.stringify(created.body)})`);
    }
    key = scoped;
  }
  info(
    `[${options.label}] service ready at ${url} (pid ${child.pid}, FACE_PROFILE ${env.FACE_PROFILE ?? '(default)'}` +
      `${options.cpus ? `, CPUs ${options.cpus}` : ''}, ${options.databaseUrl ? 'PostgreSQL' : 'embedded database'}) ` +
      `in ${Date.now() - started} ms`,
  );

  const stop = async () => {
    if (exited) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
  };
  return { url, key, pid: child.pid, dataDir, stop };
}

/** A service someone else runs (`--url` and `--key`): nothing to start or stop. */
export function externalService(url: string, key: string, pid?: number): ServiceHandle {
  return { url, key, pid, stop: async () => undefined };
}
