import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseOptions } from './lib/args.js';
import { BenchJobsClient } from './lib/jobs-client.js';
import { demoImagePaths, listLfwPeople, spread } from './lib/lfw-people.js';
import { CpuMeter, describeLoad } from './lib/proc-stats.js';
import { info, machineInfo, printJson, printTable } from './lib/report.js';
import { ensureBuilt, startService } from './lib/service-process.js';
import { round } from './lib/stats.js';
import { syntheticVideo } from './lib/synthetic-video.js';

/**
 * Video analysis speed as a multiple of real time: a synthetic video (photos of `--people`
 * people shown `--segment` seconds each, `--seconds` long, `--size` at `--fps`) is posted as a
 * video job at each `--sample-fps`, on one fresh service, and timed from the job's creation to
 * its end. `× real time` = video duration / processing time (above 1: faster than playback).
 *
 *   npm run bench:video -- [--seconds 60] [--segment 3] [--size 1280x720] [--fps 25]
 *                          [--sample-fps 1,2,5] [--people 10] [--dir ../shared/lfw-dev] [--profile NAME]
 */

const args = parseOptions({
  seconds: { type: 'string', default: '60' },
  segment: { type: 'string', default: '3' },
  size: { type: 'string', default: '1280x720' },
  fps: { type: 'string', default: '25' },
  'sample-fps': { type: 'string', default: '1,2,5' },
  people: { type: 'string', default: '10' },
  dir: { type: 'string', default: '../shared/lfw-dev' },
  profile: { type: 'string' },
  'no-build': { type: 'boolean', default: false },
});

function photos(dir: string, count: number): { source: string; bytes: Buffer[] } {
  const people = listLfwPeople(dir);
  if (!people) return { source: 'face-api demo', bytes: demoImagePaths().map((f) => readFileSync(f)) };
  return {
    source: `LFW ${path.resolve(dir)}`,
    bytes: spread(people, count).map((p) => readFileSync(p.images[0]!)),
  };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  info(describeLoad(machine.cpus).text);
  ensureBuilt(args.flag('no-build'));
  const [width, height] = args.string('size').split('x').map(Number) as [number, number];
  const seconds = args.number('seconds');
  const source = photos(args.string('dir'), args.optionalInt('people') ?? 10);
  const video = await syntheticVideo(source.bytes, {
    seconds,
    segmentSeconds: args.number('segment'),
    width,
    height,
    fps: args.number('fps'),
  });
  info(
    `video: ${seconds} s ${width}x${height} @ ${video.fps} fps, ${video.bytes.length} bytes, photos from ${source.source}`,
  );
  const service = await startService({
    label: 'video',
    profile: args.optionalString('profile'),
    scopes: ['recognise'],
    env: {
      VIDEO_MAX_BYTES: String(Math.max(video.bytes.length * 2, 256 * 1024 * 1024)),
      VIDEO_MAX_DURATION_SECONDS: String(Math.ceil(seconds) + 1),
    },
  });
  const rows = [];
  try {
    const client = new BenchJobsClient(service.url, service.key);
    for (const sampleFps of args.numbers('sample-fps')) {
      const cpu = new CpuMeter(service.pid!);
      const started = process.hrtime.bigint();
      const job = await client.create('/api/v1/jobs/video', [
        { name: 'sample_fps', value: String(sampleFps) },
        { name: 'video', file: video.bytes, filename: 'bench.mp4', contentType: 'video/mp4' },
      ]);
      const ended = await client.settle(job.id);
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      const [item] = await client.items(job.id);
      if (ended.status !== 'completed')
        throw new Error(`the job ended ${ended.status}: ${JSON.stringify(item?.error)}`);
      const result = item!.result as { frames_analysed: number; faces_detected: number; sessions: unknown[] };
      rows.push({
        sampleFps,
        wallS: round(wallS, 2),
        realTime: round(seconds / wallS, 2),
        framesPerS: round(result.frames_analysed / wallS, 2),
        frames: result.frames_analysed,
        faces: result.faces_detected,
        sessions: result.sessions.length,
        serverCpuPct: round(cpu.percentOfOneCore(), 0),
      });
      info(`sample ${sampleFps} fps: ${round(wallS, 1)} s, ${round(seconds / wallS, 2)}× real time`);
    }
  } finally {
    await service.stop();
  }
  printTable(
    `Video analysis, ${seconds} s ${width}x${height} @ ${video.fps} fps`,
    ['sample fps', 'wall s', '× real time', 'frames/s', 'frames', 'faces', 'sessions', 'server CPU %'],
    rows.map((r) => [
      r.sampleFps,
      r.wallS,
      r.realTime,
      r.framesPerS,
      r.frames,
      r.faces,
      r.sessions,
      r.serverCpuPct,
    ]),
  );
  printJson({
    benchmark: 'video',
    machine,
    source: source.source,
    video: { seconds, width, height, fps: video.fps },
    rows,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
