import 'reflect-metadata';
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/app-config.js';
import { BenchApiClient, errorCode, type ServedModels } from './lib/api-client.js';
import { parseOptions } from './lib/args.js';
import { demoImagePaths, listLfwPeople, spread } from './lib/lfw-people.js';
import { imageBody, type MultipartBody } from './lib/multipart.js';
import { CpuMeter, describeLoad, resetPeakRss, statusMiB } from './lib/proc-stats.js';
import { info, machineInfo, printJson, printTable, progress } from './lib/report.js';
import { ensureBuilt, externalService, type ServiceHandle, startService } from './lib/service-process.js';
import { selectProfile, serviceRule, startPipeline } from './lib/setup.js';
import { seededRandom, shuffle } from './lib/random.js';
import { forEachConcurrent, msSince, percentile, round, type Summary, summarize } from './lib/stats.js';

/**
 * Load test of `POST /api/v1/recognise_user` over HTTP with real photos. Starts the service as a
 * child process (fresh embedded database, rate limits lifted) unless `--url`/`--key` name a
 * running one, enrols people from LFW (first image of people with ≥ 2 images), then drives
 * recognise_user with autocannon at each concurrency for a fixed duration. Probes rotate over
 * the other images of enrolled people and first images of people not enrolled.
 *
 * Also times `FaceAnalysisService.analyze` in this process on the same probe images, with the
 * service started but idle, right before the single-client level (and once more after the last
 * level, to show whether the machine's other load changed): the "bare pipeline" that the p50 at
 * concurrency 1 is compared with. It runs the profile the service says it serves
 * (`GET /api/v1/models`), with the service's inference settings.
 *
 * `--profile` is the FACE_PROFILE the service is started with (default: the environment's
 * FACE_PROFILE, else the manifest's default profile).
 *
 *   npm run bench:load -- [--profile mobilefacenet|dlib] [--dir ../shared/lfw-dev] [--duration 20]
 *                         [--concurrency 1,4,8,12] [--enrol 200] [--probes 160]
 *                         [--url http://host:3000 --key frk_… [--pid N]]
 */

const args = parseOptions({
  dir: { type: 'string', default: '../shared/lfw-dev' },
  profile: { type: 'string' },
  duration: { type: 'string', default: '20' },
  concurrency: { type: 'string', default: '1,4,8,12' },
  enrol: { type: 'string', default: '200' },
  probes: { type: 'string', default: '160' },
  'unknown-share': { type: 'string', default: '0.25' },
  timeout: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '10' },
  url: { type: 'string' },
  key: { type: 'string' },
  pid: { type: 'string' },
  'no-build': { type: 'boolean', default: false },
});

/** The service's own settings (it inherits this environment), not benchConfig's 1 worker × 2 threads. */
const SERVICE_CONFIG = loadConfig(process.env);

interface ImageFile {
  person: string;
  file: string;
  bytes: Buffer;
  known: boolean;
}

interface LevelResult {
  concurrency: number;
  durationS: number;
  requests: number;
  throughputRps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  connectionErrors: number;
  matches: number;
  noMatches: number;
  serverCpuPct: number;
  /** VmHWM: the peak during this level, or since the server started where it cannot be reset. */
  serverPeakRssMiB: number | undefined;
  peakRssSinceStart: boolean;
  clientCpuPct: number;
  /** GET /health/live latency while this level ran (target p95 < 50 ms at 12 clients). */
  liveP50Ms: number;
  liveP95Ms: number;
  liveMaxMs: number;
}

const read = (person: string, file: string, known: boolean): ImageFile => ({
  person,
  file,
  bytes: readFileSync(file),
  known,
});

/** Enrolment images and probe images: LFW when present, face-api's demo photos otherwise. */
function selectImages(dir: string, enrolCount: number, probeCount: number, unknownShare: number) {
  const people = listLfwPeople(dir);
  if (!people) {
    info(`no LFW folder at ${dir}: using face-api's demo photos (group photos; the largest face is used)`);
    const demo = demoImagePaths();
    return {
      source: 'face-api demo',
      enrol: demo.slice(0, 3).map((f) => read(path.basename(f), f, true)),
      probes: demo.map((f, i) => read(path.basename(f), f, i < 3)),
    };
  }
  const candidates = people.filter((p) => p.images.length >= 2);
  const enrolled = spread(candidates, enrolCount);
  const enrolledNames = new Set(enrolled.map((p) => p.name));
  const unknownCount = Math.round(probeCount * unknownShare);
  const known = spread(
    enrolled.flatMap((p) => p.images.slice(1).map((f) => ({ person: p.name, file: f }))),
    probeCount - unknownCount,
  );
  const unknown = spread(
    people.filter((p) => !enrolledNames.has(p.name)),
    unknownCount,
  ).map((p) => ({ person: p.name, file: p.images[0]! }));
  return {
    source: `LFW ${path.resolve(dir)}`,
    enrol: enrolled.map((p) => read(p.name, p.images[0]!, true)),
    // Shuffled (with a fixed seed) so known and unknown faces alternate in the rotation.
    probes: shuffle(
      [
        ...known.map((p) => read(p.person, p.file, true)),
        ...unknown.map((p) => read(p.person, p.file, false)),
      ],
      seededRandom(1),
    ),
  };
}

/**
 * `analyze()` in this process on every probe, after a warm-up: the time the service cannot go
 * below. Probes in which no face is found are dropped (they would be 400s in the load test).
 */
async function barePipeline(probes: ImageFile[], profile: string) {
  const pipeline = await startPipeline(SERVICE_CONFIG, profile);
  const { models } = pipeline;
  try {
    for (const probe of probes.slice(0, 5)) await pipeline.analysis.analyze(probe.bytes, models);
    const timed: { probe: ImageFile; ms: number }[] = [];
    let noFace = 0;
    const tick = progress('bare pipeline', probes.length);
    for (const [i, probe] of probes.entries()) {
      const started = process.hrtime.bigint();
      // recognise_user analyses with crops (the face is cached for enrolment on no_match).
      const result = await pipeline.analysis.analyze(probe.bytes, models, { crops: true });
      const ms = msSince(started);
      if (result.faces.length > 0) timed.push({ probe, ms });
      else noFace++;
      tick(i + 1);
    }
    return { timed, noFace };
  } finally {
    await pipeline.close();
  }
}

async function enrol(client: BenchApiClient, images: ImageFile[]) {
  const outcomes = new Map<string, number>();
  const tick = progress('enrol', images.length);
  let done = 0;
  await forEachConcurrent(images, 2, async (image) => {
    const response = await client.addUser(image.person.replace(/_/g, ' '), image.bytes);
    const outcome =
      response.status === 201 ? 'enrolled' : `HTTP ${response.status}/${errorCode(response) ?? '-'}`;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    tick(++done);
  });
  return Object.fromEntries(outcomes);
}

/**
 * `GET /health/live` every 100 ms beside the load, one request at a time: how long the server's
 * event loop keeps a trivial request waiting while recognitions saturate the machine.
 */
function probeLiveness(url: string): { stop: () => number[] } {
  const times: number[] = [];
  let running = true;
  void (async () => {
    while (running) {
      const started = process.hrtime.bigint();
      try {
        const res = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.ok) times.push(msSince(started));
      } catch {
        // counted by its absence
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: () => {
      running = false;
      return times;
    },
  };
}

function runLevel(service: ServiceHandle, bodies: MultipartBody[], concurrency: number, seconds: number) {
  const latencies: number[] = [];
  let matches = 0;
  let noMatches = 0;
  let next = 0;
  const pid = service.pid;
  const peakReset = pid !== undefined && resetPeakRss(pid);
  const serverCpu = pid !== undefined ? new CpuMeter(pid) : undefined;
  const clientCpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const liveness = probeLiveness(service.url);
  return new Promise<LevelResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: service.url,
        connections: concurrency,
        duration: seconds,
        timeout: args.number('timeout'),
        requests: [
          {
            method: 'POST',
            path: '/api/v1/recognise_user',
            // Every request takes the next probe body, so all clients together rotate over them.
            setupRequest: (request) => {
              const body = bodies[next++ % bodies.length]!;
              return {
                ...request,
                headers: { 'x-api-key': service.key, 'content-type': body.contentType },
                body: body.body,
              };
            },
            onResponse: (status, body) => {
              if (status !== 200) return;
              if (body.includes('"status":"success"')) matches++;
              else if (body.includes('"no_match"')) noMatches++;
            },
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => {
        clearInterval(ticker);
        const live = liveness.stop();
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const wallS = msSince(started) / 1000;
        const cpu = process.cpuUsage(clientCpu);
        resolve({
          concurrency,
          durationS: round(result.duration, 1),
          requests: latencies.length,
          throughputRps: round(latencies.length / result.duration, 2),
          p50Ms: round(percentile(latencies, 50), 1),
          p95Ms: round(percentile(latencies, 95), 1),
          p99Ms: round(percentile(latencies, 99), 1),
          maxMs: round(Math.max(...latencies), 1),
          errors: result.non2xx + result.errors,
          non2xx: result.non2xx,
          timeouts: result.timeouts,
          connectionErrors: result.errors,
          matches,
          noMatches,
          serverCpuPct: serverCpu ? round(serverCpu.percentOfOneCore(), 0) : Number.NaN,
          serverPeakRssMiB: pid !== undefined ? round(statusMiB(pid, 'VmHWM') ?? Number.NaN, 0) : undefined,
          peakRssSinceStart: !peakReset,
          clientCpuPct: round((100 * (cpu.user + cpu.system)) / 1e6 / wallS, 0),
          liveP50Ms: round(percentile(live, 50), 1),
          liveP95Ms: round(percentile(live, 95), 1),
          liveMaxMs: round(Math.max(...live), 1),
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
    const ticker = setInterval(() => {
      info(
        `[c=${concurrency}] ${msSince(started) / 1000 < seconds ? `${(msSince(started) / 1000).toFixed(0)}/${seconds} s` : 'finishing'}` +
          `, ${latencies.length} responses, p50 so far ${round(percentile(latencies, 50), 0)} ms`,
      );
    }, 5000);
  });
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const load = describeLoad(machine.cpus);
  info(`bench:load on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`);
  info(load.text);
  const levels = args.numbers('concurrency');
  const duration = args.number('duration');
  const images = selectImages(
    args.string('dir'),
    args.number('enrol'),
    args.number('probes'),
    args.number('unknown-share'),
  );
  info(`${images.source}: ${images.enrol.length} enrolment images, ${images.probes.length} probe images`);

  const url = args.optionalString('url');
  let service: ServiceHandle;
  if (url) {
    if (args.optionalString('profile'))
      throw new Error('--profile applies to a service started here, not with --url');
    const pid = args.optionalString('pid');
    service = externalService(url, args.string('key'), pid ? Number(pid) : undefined);
  } else {
    ensureBuilt(args.flag('no-build'));
    const profile = await selectProfile(SERVICE_CONFIG, args.optionalString('profile'));
    service = await startService({ label: 'load', profile: profile.name, scopes: ['recognise', 'enroll'] });
  }
  let served: ServedModels;
  const results: LevelResult[] = [];
  let enrolment: Record<string, number> | undefined;
  let bare: Awaited<ReturnType<typeof barePipeline>>;
  let rule: { threshold: number; margin: number } | undefined;
  let bareMs: Summary;
  let bareAfter: Summary | undefined;
  let probes: ImageFile[];
  try {
    const client = new BenchApiClient(service.url, service.key);
    served = await client.models();
    rule = url ? undefined : serviceRule(served.serving, SERVICE_CONFIG);
    info(
      `service serves profile ${served.serving.name} (${served.serving.embedding_space}, ${served.serving.dimension}-D)` +
        (rule ? `, rule: threshold ${rule.threshold}, margin ${rule.margin}` : ''),
    );
    enrolment = await enrol(client, images.enrol);
    info(`enrolment: ${JSON.stringify(enrolment)}`);
    // Timed now, with the service started but idle, right before the single-client level: the
    // machine is shared, and the two figures are only comparable when measured back to back.
    bare = await barePipeline(images.probes, served.serving.name);
    probes = bare.timed.map((t) => t.probe);
    if (probes.length === 0) throw new Error('no probe image has a detectable face');
    bareMs = summarize(bare.timed.map((t) => t.ms));
    info(
      `bare pipeline: p50 ${round(bareMs.p50, 1)} ms, mean ${round(bareMs.mean, 1)} ms over ${bareMs.n} images ` +
        `(${bare.noFace} without a face dropped from the probes)`,
    );
    for (const probe of probes.slice(0, args.number('warmup'))) await client.recognise(probe.bytes);
    const bodies = probes.map((p) => imageBody(p.bytes));
    for (const concurrency of levels) {
      info(`[c=${concurrency}] ${duration} s of recognise_user with ${concurrency} client(s)`);
      const level = await runLevel(service, bodies, concurrency, duration);
      info(
        `[c=${concurrency}] ${level.requests} requests, ${level.throughputRps} req/s, p50 ${level.p50Ms} ms, ` +
          `p95 ${level.p95Ms} ms, ${level.errors} errors, server CPU ${level.serverCpuPct} %`,
      );
      results.push(level);
      // Requests still queued in the server when autocannon stopped would slow the next level's
      // first requests: one more request waits behind them (inference is first come, first
      // served), then a short pause.
      await client.recognise(probes[0]!.bytes);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    // Again after the levels: a large change means the machine's other load changed meanwhile.
    bareAfter = summarize((await barePipeline(probes, served.serving.name)).timed.map((t) => t.ms));
    info(`bare pipeline after the levels: p50 ${round(bareAfter.p50, 1)} ms`);
  } finally {
    await service.stop();
  }

  const c1 = results.find((r) => r.concurrency === 1);
  const ratio = c1 ? c1.p50Ms / bareMs.p50 : Number.NaN;
  const c12 = results.find((r) => r.concurrency === 12);
  printTable(
    `recognise_user under load, profile ${served.serving.name} (${served.serving.embedding_space}) ` +
      `(${images.source}; ${probes.length} probe images, ${images.enrol.length} enrolled; ` +
      `${duration} s per level; ${load.text})`,
    [
      'clients',
      'requests',
      'req/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'errors',
      'match',
      'no_match',
      'server CPU %',
      'server peak RSS MiB',
      'client CPU %',
      'live p50/p95/max ms',
    ],
    results.map((r) => [
      r.concurrency,
      r.requests,
      r.throughputRps,
      r.p50Ms,
      r.p95Ms,
      r.p99Ms,
      r.maxMs,
      r.errors,
      r.matches,
      r.noMatches,
      r.serverCpuPct,
      r.serverPeakRssMiB ?? 'n/a',
      r.clientCpuPct,
      `${r.liveP50Ms}/${r.liveP95Ms}/${r.liveMaxMs}`,
    ]),
  );
  printTable(
    'Targets',
    ['target', 'measured', 'met'],
    [
      [
        'p50 at 1 client ≤ 1.3 × bare pipeline p50',
        `${c1?.p50Ms ?? 'n/a'} ms / ${round(bareMs.p50, 1)} ms = ${round(ratio, 2)}× ` +
          `(bare p50 after the levels: ${bareAfter ? round(bareAfter.p50, 1) : 'n/a'} ms)`,
        ratio <= 1.3 ? 'yes' : 'no',
      ],
      [
        '12 clients: 0 errors, p95 < 1.5 s',
        c12 ? `${c12.errors} errors, p95 ${c12.p95Ms} ms` : 'not run',
        c12 ? (c12.errors === 0 && c12.p95Ms < 1500 ? 'yes' : 'no') : 'n/a',
      ],
      [
        '12 clients: GET /health/live p95 < 50 ms',
        c12 ? `p95 ${c12.liveP95Ms} ms (max ${c12.liveMaxMs} ms)` : 'not run',
        c12 ? (c12.liveP95Ms < 50 ? 'yes' : 'no') : 'n/a',
      ],
    ],
  );
  printJson({
    benchmark: 'load',
    machine,
    profile: {
      name: served.serving.name,
      space: served.serving.embedding_space,
      dimension: served.serving.dimension,
      flip: served.serving.flip,
      rule: rule ?? null,
    },
    loadAverageAtStart: load.loadAverage,
    loadHigh: load.high,
    images: {
      source: images.source,
      enrolled: images.enrol.length,
      probes: probes.length,
      noFaceDropped: bare.noFace,
    },
    enrolment,
    durationS: duration,
    barePipelineMs: { p50: round(bareMs.p50, 2), mean: round(bareMs.mean, 2), p95: round(bareMs.p95, 2) },
    barePipelineAfterLevelsMs: bareAfter
      ? { p50: round(bareAfter.p50, 2), mean: round(bareAfter.mean, 2) }
      : undefined,
    config: {
      inferenceWorkers: SERVICE_CONFIG.models.workers,
      inferenceThreads: SERVICE_CONFIG.models.threadsPerWorker,
    },
    p50RatioConcurrency1: round(ratio, 3),
    levels: results,
  });
}

await main();
