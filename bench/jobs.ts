import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BenchApiClient, errorCode } from './lib/api-client.js';
import { parseOptions } from './lib/args.js';
import { BenchJobsClient } from './lib/jobs-client.js';
import { demoImagePaths, listLfwPeople, spread } from './lib/lfw-people.js';
import type { MultipartField } from './lib/multipart.js';
import { CpuMeter, describeLoad } from './lib/proc-stats.js';
import { info, machineInfo, printJson, printTable, progress } from './lib/report.js';
import { ensureBuilt, startService } from './lib/service-process.js';
import { forEachConcurrent, round } from './lib/stats.js';

/**
 * Batch enrolment through a job against the same photos enrolled by single `add_user` requests,
 * over HTTP with real photos. Each mode runs on a fresh service (fresh embedded database, rate
 * limits lifted): `single` posts add_user with `--concurrency` clients at a time; `job` posts one
 * enrolment job with every photo and polls it to the end. Reported: faces enrolled per second
 * (wall time from the first request to the last answer, or from the job's creation to its end),
 * and the server's CPU. The photos are the first photo of `--people` LFW people (spread across
 * the alphabet), or face-api's demo photos without LFW.
 *
 *   npm run bench:jobs -- [--people 200] [--concurrency 1,2] [--dir ../shared/lfw-dev] [--profile NAME]
 */

const args = parseOptions({
  people: { type: 'string', default: '200' },
  concurrency: { type: 'string', default: '1,2' },
  dir: { type: 'string', default: '../shared/lfw-dev' },
  profile: { type: 'string' },
  'no-build': { type: 'boolean', default: false },
});

interface Photo {
  name: string;
  bytes: Buffer;
}

interface ModeResult {
  mode: string;
  photos: number;
  enrolled: number;
  refused: number;
  wallS: number;
  facesPerS: number;
  serverCpuPct: number;
}

function selectPhotos(dir: string, count: number): { source: string; photos: Photo[] } {
  const people = listLfwPeople(dir);
  if (!people) {
    info(`no LFW folder at ${dir}: using face-api's demo photos (the largest face of each is enrolled)`);
    return {
      source: 'face-api demo',
      photos: demoImagePaths().map((file) => ({ name: path.basename(file), bytes: readFileSync(file) })),
    };
  }
  return {
    source: `LFW ${path.resolve(dir)}`,
    photos: spread(people, count).map((p) => ({
      name: p.name.replace(/_/g, ' '),
      bytes: readFileSync(p.images[0]!),
    })),
  };
}

async function single(photos: Photo[], concurrency: number): Promise<ModeResult> {
  const service = await startService({
    label: `single×${concurrency}`,
    profile: args.optionalString('profile'),
  });
  try {
    const client = new BenchApiClient(service.url, service.key);
    const cpu = new CpuMeter(service.pid!);
    const tick = progress(`add_user ×${concurrency}`, photos.length);
    let enrolled = 0;
    let done = 0;
    const started = process.hrtime.bigint();
    await forEachConcurrent(photos, concurrency, async (photo) => {
      const response = await client.addUser(photo.name, photo.bytes);
      if (response.status === 201) enrolled++;
      else if (errorCode(response) === undefined) throw new Error(`add_user: HTTP ${response.status}`);
      tick(++done);
    });
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    return result(`single requests ×${concurrency}`, photos.length, enrolled, wallS, cpu.percentOfOneCore());
  } finally {
    await service.stop();
  }
}

async function job(photos: Photo[]): Promise<ModeResult> {
  const service = await startService({ label: 'job', profile: args.optionalString('profile') });
  try {
    const client = new BenchJobsClient(service.url, service.key);
    const fields: MultipartField[] = [
      {
        name: 'people',
        value: JSON.stringify(photos.map((p) => ({ name: p.name, birthdate: '1970-01-01' }))),
      },
      ...photos.map((p, i) => ({
        name: 'images',
        file: p.bytes,
        filename: `p${i}.jpg`,
        contentType: 'image/jpeg',
      })),
    ];
    const cpu = new CpuMeter(service.pid!);
    const started = process.hrtime.bigint();
    const created = await client.create('/api/v1/jobs/enrolment', fields);
    const tick = progress('enrolment job', photos.length);
    const ended = await client.settle(created.id, (j) => tick(j.progress.done + j.progress.failed));
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    if (ended.status !== 'completed') throw new Error(`the job ended ${ended.status}`);
    return result('one enrolment job', photos.length, ended.progress.done, wallS, cpu.percentOfOneCore());
  } finally {
    await service.stop();
  }
}

function result(mode: string, photos: number, enrolled: number, wallS: number, cpuPct: number): ModeResult {
  return {
    mode,
    photos,
    enrolled,
    refused: photos - enrolled,
    wallS: round(wallS, 2),
    facesPerS: round(enrolled / wallS, 2),
    serverCpuPct: round(cpuPct, 0),
  };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  info(describeLoad(machine.cpus).text);
  ensureBuilt(args.flag('no-build'));
  const { source, photos } = selectPhotos(args.string('dir'), args.optionalInt('people') ?? 200);
  const levels = args.numbers('concurrency');
  info(
    `${photos.length} photos from ${source}; single requests at concurrency ${levels.join(', ')}, then one job`,
  );
  const results: ModeResult[] = [];
  for (const level of levels) results.push(await single(photos, level));
  results.push(await job(photos));
  printTable(
    'Batch enrolment: faces enrolled per second',
    ['mode', 'photos', 'enrolled', 'refused', 'wall s', 'faces/s', 'server CPU %'],
    results.map((r) => [r.mode, r.photos, r.enrolled, r.refused, r.wallS, r.facesPerS, r.serverCpuPct]),
  );
  printJson({ benchmark: 'jobs', machine, source, results });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
