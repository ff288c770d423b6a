import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schemas } from '../../client/index.js';
import { cropAround, demoImage, HAS_LFW } from '../support/face-images.js';
import { lfwPeople } from '../support/lfw-batch.js';
import { testDatabaseEnv } from '../support/database.js';
import {
  BOOTSTRAP_KEY,
  ensureBuilt,
  freePort,
  type ServerProcess,
  spawnServer,
  waitReady,
} from '../support/server-process.js';

/** Photos to enrol: LFW people when present, else the same demo crop shifted (distinct files). */
async function photos(count: number): Promise<Array<{ name: string; image: Buffer }>> {
  if (HAS_LFW) return lfwPeople(count);
  const sample = demoImage(1);
  return Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      name: `Person ${i}`,
      image: await cropAround(sample, { x: 200 + i, y: 120, width: 120, height: 140 }),
    })),
  );
}

/**
 * A job survives `kill -9` of the process working on it: the compiled service is killed in the
 * middle of a batch enrolment, started again on the same database, and finishes the job — every
 * photo ends exactly once (the item in hand at the kill is taken over when its lease expires, and
 * an enrolment is committed together with its item, so none is enrolled twice).
 */
describe('a job after the process is killed with SIGKILL', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'frk-jobs-restart-'));
  let database: Awaited<ReturnType<typeof testDatabaseEnv>>;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;
  let key: string;

  const start = async () => {
    server = spawnServer(env, await freePort());
    await waitReady(server);
    return server;
  };
  const call = async <T = Record<string, unknown>>(method: string, route: string, body?: FormData) => {
    const res = await fetch(`${server!.url}${route}`, { method, headers: { 'x-api-key': key }, body });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    ensureBuilt();
    database = await testDatabaseEnv();
    env = {
      // The embedded database in a folder (it must outlive the process), or a real server's database.
      ...(database.env.DATABASE_URL ? database.env : { DATA_DIR: dataDir }),
      LOG_LEVEL: 'error',
      JOB_LEASE_SECONDS: '5',
      JOB_POLL_INTERVAL_MS: '200',
      JOB_CONCURRENCY: '1',
      RATE_LIMIT_INFERENCE: '100000',
      // The polls below count against the key's default limit; a slow machine polls more.
      RATE_LIMIT_DEFAULT: '100000',
    };
    await start();
    key = BOOTSTRAP_KEY.exec(server!.stderr())![0];
  }, 300_000);

  afterAll(async () => {
    server?.kill();
    await server?.exited;
    await database?.release();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes and completes, each photo enrolled once', async () => {
    const batch = await photos(24);
    const form = new FormData();
    form.set('people', JSON.stringify(batch.map((p) => ({ name: p.name, birthdate: '1970-01-01' }))));
    for (const [i, p] of batch.entries())
      form.append('images', new Blob([p.image], { type: 'image/jpeg' }), `p${i}.jpg`);
    const created = await call('POST', '/api/v1/jobs/enrolment', form);
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.id as string;

    // Kill it once a few photos are done and most are not.
    for (;;) {
      const { body } = await call<Schemas['JobDto']>('GET', `/api/v1/jobs/${id}`);
      if (body.progress.done + body.progress.failed >= 3) break;
      await sleep(50);
    }
    server!.kill('SIGKILL');
    await server!.exited;

    await start();
    let job: Schemas['JobDto'];
    for (let i = 0; ; i++) {
      job = (await call<Schemas['JobDto']>('GET', `/api/v1/jobs/${id}`)).body;
      if (!['queued', 'running'].includes(job.status)) break;
      if (i > 1200) throw new Error(`job still ${job.status}: ${JSON.stringify(job.progress)}`);
      await sleep(250);
    }
    expect(job.status).toBe('completed');
    expect(job.progress.done + job.progress.failed).toBe(batch.length);
    const items = (await call<Schemas['JobItemPageDto']>('GET', `/api/v1/jobs/${id}/items?limit=100`)).body
      .items;
    expect(items.every((i) => ['completed', 'failed'].includes(i.status))).toBe(true);
    // Exactly one user per completed photo: no photo was enrolled twice by the attempt cut off.
    const users = (await call<{ total: number }>('GET', '/api/v1/users?limit=100')).body;
    expect(users.total).toBe(job.progress.done);
    expect(
      new Set(
        items
          .filter((i) => i.status === 'completed')
          .map((i) => (i.result as Schemas['EnrolmentResultDto']).user_id),
      ).size,
    ).toBe(job.progress.done);
  }, 600_000);
});
