import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schemas } from '../../client/index.js';
import { JobWorker } from '../../src/jobs/job-worker.service.js';
import { demoImage, HAS_LFW, lfwImage } from '../support/face-images.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { blackVideo, FFMPEG, makeVideo } from '../support/videos.js';

/** ffmpeg processes that are children of this test process (the app runs in it). */
function ffmpegChildren(): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [, comm, , ppid] = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat) ?? [];
      if (comm === 'ffmpeg' && Number(ppid) === process.pid) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

describe.skipIf(!FFMPEG)('video analysis jobs', () => {
  let t: TestApp;
  let key: string;
  const api = () => ({
    get: (url: string) => request(t.server).get(url).set('x-api-key', key),
    post: (url: string) => request(t.server).post(url).set('x-api-key', key),
  });

  async function settle(id: string, timeoutMs = 300_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = (await api().get(`/api/v1/jobs/${id}`).expect(200)).body;
      if (!['queued', 'running'].includes(job.status)) {
        const items = (await api().get(`/api/v1/jobs/${id}/items`).expect(200)).body.items;
        return { job, item: items[0] };
      }
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
      await sleep(200);
    }
  }

  const upload = (
    video: Buffer,
    name = 'clip.mp4',
    type = 'video/mp4',
    fields: Record<string, string> = {},
  ) => {
    let req = api().post('/api/v1/jobs/video');
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('video', video, { filename: name, contentType: type });
  };

  beforeAll(async () => {
    t = await startTestApp({
      JOB_POLL_INTERVAL_MS: '100',
      // Polling a job counts against the key's default limit: a slow machine must not turn it into a 429.
      RATE_LIMIT_DEFAULT: '100000',
      VIDEO_MAX_DURATION_SECONDS: '60',
      VIDEO_MAX_BYTES: String(2 * 1024 * 1024),
      VIDEO_MAX_PIXELS: String(640 * 480),
    });
    key = await t.key('enroll', 'recognise');
  });

  afterAll(async () => {
    await t?.app.close();
  });

  describe('refuses what it cannot or must not analyse, with the error envelope', () => {
    it('bytes that are not a video (415), whatever the MIME type says', async () => {
      const res = await upload(
        Buffer.from('hello, I am a text file pretending to be a video'),
        'a.mp4',
      ).expect(415);
      expect(res.body).toMatchObject({
        status: 'error',
        error_code: 415,
        message: expect.stringMatching(/not a video/),
      });
      const jpeg = await upload(lfwImageOrDemo(), 'photo.mp4', 'video/mp4').expect(415);
      expect(jpeg.body.error_code).toBe(415);
    });

    it('a corrupt or truncated video (400 when its header cannot be read)', async () => {
      const good = await makeVideo([{ image: lfwImageOrDemo(), seconds: 1 }]);
      const corrupt = Buffer.concat([good.subarray(0, 32), Buffer.alloc(4096, 0x5a)]);
      const res = await upload(corrupt).expect(400);
      expect(res.body.message).toMatch(/could not be read/);
      await upload(Buffer.alloc(0)).expect(400);
    });

    it('a truncated video whose header survived: the job item fails with a clear error', async () => {
      const good = await makeVideo([{ image: lfwImageOrDemo(), seconds: 2 }], { container: 'webm' });
      const truncated = good.subarray(0, Math.floor(good.length * 0.6));
      const created = await upload(truncated, 'cut.webm', 'video/webm');
      if (created.status !== 202) {
        // ffmpeg may already see the damage in the header.
        expect(created.status).toBe(400);
        return;
      }
      const { job, item } = await settle(created.body.id);
      // Either the frames before the cut are analysed, or the item fails saying why: never a crash.
      if (job.status === 'failed')
        expect(item.error).toMatchObject({ http_status: 400, message: expect.stringMatching(/decoded/) });
      else expect(item.result.frames_analysed).toBeGreaterThan(0);
    });

    it('a 10-hour video, by its header, in milliseconds (413)', async () => {
      const long = await blackVideo(36_000, 0.02);
      const started = Date.now();
      const res = await upload(long).expect(413);
      expect(res.body.message).toMatch(/lasts 36000 s; the limit is 60 s \(VIDEO_MAX_DURATION_SECONDS\)/);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('a resolution over VIDEO_MAX_PIXELS and a file over VIDEO_MAX_BYTES (413)', async () => {
      const big = await makeVideo([{ image: lfwImageOrDemo(), seconds: 1 }], { width: 800, height: 600 });
      expect((await upload(big).expect(413)).body.message).toMatch(/800×600 pixels/);
      const huge = Buffer.concat([big, Buffer.alloc(2 * 1024 * 1024)]);
      expect((await upload(huge).expect(413)).body.message).toMatch(/VIDEO_MAX_BYTES/);
    });
  });

  it('cancelling a running video job stops its ffmpeg', async () => {
    const clip = await makeVideo([{ image: lfwImageOrDemo(), seconds: 30 }], { fps: 5 });
    const created = await upload(clip, 'long.mp4', 'video/mp4', { sample_fps: '5' }).expect(202);
    const worker = t.app.get(JobWorker);
    for (let i = 0; i < 100 && ffmpegChildren() === 0; i++) await sleep(100);
    expect(ffmpegChildren()).toBe(1);
    await api().post(`/api/v1/jobs/${created.body.id}/cancel`).expect(200);
    for (let i = 0; i < 100 && (worker.busy > 0 || ffmpegChildren() > 0); i++) await sleep(100);
    expect(ffmpegChildren()).toBe(0);
    expect((await api().get(`/api/v1/jobs/${created.body.id}`)).body.status).toBe('cancelled');
  });

  it.skipIf(!HAS_LFW)(
    'finds the enrolled person at the right times and reports the other face as unknown',
    async () => {
      const [a, b] = ['Colin_Powell', 'Tony_Blair'];
      const enrolled = await api()
        .post('/api/v1/add_user')
        .field('name', 'Person A')
        .field('birthdate', '1970-01-01')
        .attach('image', lfwImage(a, 38), 'a.jpg')
        .expect(201);
      // 2 s of A, 2 s of B, 2 s of A again (another photo of A than the one enrolled).
      const clip = await makeVideo([
        { image: lfwImage(a, 74), seconds: 2 },
        { image: lfwImage(b, 6), seconds: 2 },
        { image: lfwImage(a, 74), seconds: 2 },
      ]);
      const created = await upload(clip, 'abA.mp4', 'video/mp4', { sample_fps: '4' }).expect(202);
      expect(created.body.options).toMatchObject({
        sample_fps: 4,
        video: { container: 'mov', codec: 'h264', width: 320, height: 240 },
      });
      const { job, item } = await settle(created.body.id);
      expect(job.status).toBe('completed');
      const result = item.result;
      expect(result).toMatchObject({ sample_fps: 4, frame_size: '320x240', video: { duration_s: 6 } });
      expect(result.frames_analysed).toBeGreaterThanOrEqual(23);
      const sessions = result.sessions as Array<Schemas['VideoSessionDto']>;
      // LFW photos may hold small faces in the background; they are sessions too, but not the subject here.
      const main = sessions.filter((s) => s.best_frame.quality.face_size >= 48);
      const known = main.filter((s) => s.result === 'identified');
      const unknown = main.filter((s) => s.result === 'unknown');
      expect(known.map((s) => s.user_info?.id)).toEqual([enrolled.body.user_id, enrolled.body.user_id]);
      expect(known[0]).toMatchObject({ first_seen_s: 0 });
      expect(known[0]!.last_seen_s).toBeGreaterThanOrEqual(1.5);
      expect(known[0]!.last_seen_s).toBeLessThanOrEqual(2.25);
      expect(known[1]!.first_seen_s).toBeGreaterThanOrEqual(3.75);
      expect(known[1]!.first_seen_s).toBeLessThanOrEqual(4.25);
      expect(known[1]!.last_seen_s).toBeGreaterThanOrEqual(5.5);
      expect(known[0]!.confidence).toBeGreaterThan(0.5);
      expect(unknown).toHaveLength(1);
      // (Numbered in order of appearance, small background faces included.)
      expect(unknown[0]).toMatchObject({
        unknown_id: expect.stringMatching(/^unknown-\d+$/),
        req_id: expect.stringMatching(/^req-/),
      });
      expect(unknown[0]!.first_seen_s).toBeGreaterThanOrEqual(1.75);
      expect(unknown[0]!.last_seen_s).toBeLessThanOrEqual(4.25);
      expect(Buffer.from(unknown[0]!.best_frame.crop_jpeg_base64 ?? '', 'base64').subarray(0, 2)).toEqual(
        Buffer.from([0xff, 0xd8]),
      );
      // The unknown face can be enrolled later with its req_id, like recognise_user's.
      await api()
        .post('/api/v1/add_user')
        .send({ name: 'Person B', birthdate: '1970-01-01', req_id: unknown[0]!.req_id })
        .expect(201);
    },
    300_000,
  );

  it('analyses a WebM video as well', async () => {
    const clip = await makeVideo([{ image: lfwImageOrDemo(), seconds: 1 }], { container: 'webm' });
    const created = await upload(clip, 'clip.webm', 'video/webm').expect(202);
    const { job, item } = await settle(created.body.id);
    expect(job.status).toBe('completed');
    expect(item.result).toMatchObject({ video: { container: 'matroska', codec: 'vp8' }, sample_fps: 2 });
    expect(item.result.sessions.length).toBeGreaterThanOrEqual(1);
  });
});

/** A face photo: LFW's when present, else a face-api demo photo. */
function lfwImageOrDemo(): Buffer {
  return HAS_LFW ? lfwImage('Colin_Powell', 38) : demoImage(1);
}
