import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseServer } from '../../src/infra/database/database-server.js';
import { createPrismaClient, type PrismaService } from '../../src/infra/database/prisma.service.js';
import { createServerDatabase, TEST_SERVER_URL } from '../support/database.js';
import { demoImage } from '../support/face-images.js';
import {
  BOOTSTRAP_KEY,
  ensureBuilt,
  freePort,
  type ServerProcess,
  spawnServer,
  waitReady,
} from '../support/server-process.js';

/**
 * Two API instances (two `node dist/main.js` processes) on one PostgreSQL, booted at the same
 * moment on an empty database: what a team runs when one machine is not enough. The embedded
 * database belongs to one process by design (its data-directory lock refuses a second), so this
 * runs in the real-server tier (`npm run test:pg`) only.
 */
describe.skipIf(!TEST_SERVER_URL)('two API instances on one PostgreSQL', () => {
  let database: DatabaseServer;
  let prisma: PrismaService;
  let instances: ServerProcess[] = [];
  let adminKey: string;

  beforeAll(async () => {
    ensureBuilt();
    database = await createServerDatabase(TEST_SERVER_URL!);
    const env = {
      DATABASE_URL: database.url,
      RATE_LIMIT_STORE: 'database',
      CACHE_CLEANUP_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'log',
    };
    const ports = await Promise.all([freePort(), freePort()]);
    instances = ports.map((port) => spawnServer(env, port));
    await Promise.all(instances.map((instance) => waitReady(instance, 240_000)));
    prisma = createPrismaClient(database.url, 2);
  }, 300_000);

  afterAll(async () => {
    for (const instance of instances) instance.kill('SIGTERM');
    await Promise.all(instances.map((instance) => instance.exited));
    await prisma?.$disconnect();
    await database?.close();
  });

  const call = (instance: ServerProcess, path: string, key: string, init: RequestInit = {}) =>
    fetch(`${instance.url}${path}`, { ...init, headers: { 'x-api-key': key, ...init.headers } });

  it('applies each migration exactly once, and creates exactly one bootstrap key', async () => {
    const rows = await prisma.$queryRaw<{ migration_name: string; n: bigint }[]>`
      SELECT migration_name, count(*) AS n FROM _prisma_migrations GROUP BY migration_name`;
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((row) => row.n === 1n)).toBe(true);
    const logs = instances.map((instance) => instance.stdout() + instance.stderr());
    // One instance applied them; the other waited on the advisory lock and found nothing to do.
    expect(logs.filter((log) => /Applied \d+ migration/.test(log))).toHaveLength(1);
    const keys = logs.flatMap((log) => log.match(new RegExp(BOOTSTRAP_KEY, 'g')) ?? []);
    expect(keys).toHaveLength(1);
    adminKey = keys[0]!;
    expect(await prisma.apiKey.count()).toBe(1);
  });

  it("holds a key's rate limit across both instances", async () => {
    const created = await call(instances[0]!, '/api/v1/api-keys', adminKey, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'limited', scopes: ['manage'], rate_limit_per_minute: 6 }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await call(instances[i % 2]!, '/api/v1/users', key)).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(6);
    expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);
    const refused = await call(instances[1]!, '/api/v1/users', key);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('serves the same statistics from either instance', async () => {
    for (const instance of instances) {
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(demoImage(1))], { type: 'image/jpeg' }), 'face.jpg');
      const res = await call(instance, '/api/v1/recognise_user', adminKey, { method: 'POST', body: form });
      expect(res.status).toBe(200);
    }
    const [a, b] = await Promise.all(
      instances.map(async (instance) => (await call(instance, '/api/v1/stats', adminKey)).json()),
    );
    expect(a).toEqual(b);
    expect(a).toMatchObject({ recognitions: 2, cached_faces: 2 });
  });

  it('runs the cache cleanup once per interval across instances', async () => {
    // Both instances tick every second; the run record moves about once a second, not twice.
    const seen = new Set<number>();
    const runners = new Set<string>();
    const until = Date.now() + 4_500;
    while (Date.now() < until) {
      const row = await prisma.scheduledRun.findUnique({ where: { name: 'face-cache-cleanup' } });
      if (row) {
        seen.add(row.lastRunAt.getTime());
        runners.add(row.runBy ?? '');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const runs = [...seen].sort((x, y) => x - y);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBeGreaterThanOrEqual(900);
  });
});
