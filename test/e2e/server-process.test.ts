import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoImage } from '../support/face-images.js';
import {
  BOOTSTRAP_KEY,
  ensureBuilt,
  freePort,
  REPO_ROOT,
  type ServerProcess,
  spawnServer,
  waitReady,
} from '../support/server-process.js';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'face-admin.js');

/**
 * The compiled service as a process: what only shows from outside it — signals, the boot output,
 * the embedded database's exposure, the CLI beside a running server.
 */
describe('the service process (node dist/main.js, embedded database)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'frk-process-'));
  let server: ServerProcess;
  let adminKey: string;

  beforeAll(async () => {
    ensureBuilt();
    server = spawnServer({ DATA_DIR: dataDir, LOG_LEVEL: 'error', LOG_FORMAT: 'json' }, await freePort());
    await waitReady(server);
  }, 300_000);

  afterAll(async () => {
    server?.kill();
    await server?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the bootstrap admin key on stderr whatever the log level, never in the JSON log stream', () => {
    const key = BOOTSTRAP_KEY.exec(server.stderr())?.[0];
    expect(key, server.stderr()).toBeDefined();
    adminKey = key!;
    expect(server.stdout()).not.toMatch(BOOTSTRAP_KEY);
    for (const line of server.stdout().split('\n').filter(Boolean))
      expect(() => JSON.parse(line)).not.toThrow();
  });

  it('serves its embedded database on an owner-only Unix socket only, with no TCP port', async () => {
    const runDir = path.join(dataDir, '.run');
    expect(statSync(runDir).mode & 0o777).toBe(0o700);
    expect(existsSync(path.join(runDir, '.s.PGSQL.5432'))).toBe(true);
    const lock = JSON.parse(readFileSync(path.join(dataDir, 'service.lock'), 'utf8')) as { socket?: string };
    expect(lock.socket).toBe(path.join(runDir, '.s.PGSQL.5432'));
    // The process listens on exactly one TCP port: its HTTP port.
    expect(listeningTcpPorts(server.child.pid!)).toEqual([Number(new URL(server.url).port)]);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a connection from another local user', async () => {
    const socket = path.join(dataDir, '.run', '.s.PGSQL.5432');
    const probe = `require('net').connect(${JSON.stringify(socket)}).on('connect',()=>{console.log('connected');process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`;
    const { stdout } = await run('runuser', ['-u', 'nobody', '--', process.execPath, '-e', probe]);
    expect(stdout.trim()).toBe('EACCES');
  });

  it('lets the CLI create and list keys while the server runs, through its admin socket', async () => {
    const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error' };
    const created = await run(
      process.execPath,
      [CLI, 'apikey', 'create', '--name', 'ci', '--scopes', 'recognise', '--json'],
      { env },
    );
    const { key } = JSON.parse(created.stdout) as { key: string };
    expect(key).toMatch(BOOTSTRAP_KEY);
    const models = await fetch(`${server.url}/api/v1/models`, { headers: { 'x-api-key': key } });
    expect(models.status).toBe(200);
    const listed = await run(process.execPath, [CLI, 'apikey', 'list', '--json'], { env });
    expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((k) => k.name)).toEqual(
      expect.arrayContaining(['ci', 'bootstrap-admin']),
    );
    const status = await run(process.execPath, [CLI, 'reembed', 'status'], { env });
    expect(status.stdout).toMatch(/Serving: mobilefacenet|Nothing to move/);
  });

  it('refuses a second server on the same data directory without a stack trace', async () => {
    const second = spawnServer({ DATA_DIR: dataDir }, await freePort());
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toMatch(/Data directory .* is in use by process \d+/);
    expect(second.stderr()).not.toMatch(/\n\s+at /);
  });

  it('drains requests in flight on SIGTERM: ten recognitions, ten answers, then a clean exit', async () => {
    const face = demoImage(3); // three faces, 1920 px: each recognition takes a while
    const requests = Array.from({ length: 10 }, () => {
      const form = new FormData();
      form.append('image', new Blob([face], { type: 'image/jpeg' }), 'face.jpg');
      return fetch(`${server.url}/api/v1/recognise_user`, {
        method: 'POST',
        headers: { 'x-api-key': adminKey },
        body: form,
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 150)); // all ten are in flight
    server.kill('SIGTERM');
    const statuses = (await Promise.all(requests)).map((r) => r.status);
    expect(statuses).toEqual(Array(10).fill(200));
    expect(await server.exited).toBe(0);
    // After the drain the port is closed.
    await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
  }, 120_000);
});

describe('boot failures that must not cost anything', () => {
  let blocker: Server;
  let port: number;
  const dataDir = path.join(tmpdir(), `frk-unused-${process.pid}`);

  beforeAll(async () => {
    ensureBuilt();
    port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  });

  afterAll(() => {
    blocker?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops at once when the port is taken: no database created, no key printed', async () => {
    const started = Date.now();
    const server = spawnServer({ DATA_DIR: dataDir }, port);
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(server.stderr()).not.toMatch(BOOTSTRAP_KEY);
    expect(existsSync(dataDir)).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

/** The TCP ports a process listens on, from its socket descriptors and /proc/net/tcp{,6}. */
function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set(
    execFileSync('ls', ['-l', `/proc/${pid}/fd`], { encoding: 'utf8' })
      .split('\n')
      .map((line) => /socket:\[(\d+)\]/.exec(line)?.[1])
      .filter((inode): inode is string => inode !== undefined),
  );
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A' && inodes.has(fields[9] ?? ''))
        ports.add(parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}
