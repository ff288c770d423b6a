import 'reflect-metadata';
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/app-config.js';
import { BenchApiClient, errorCode, type ServedModels } from './lib/api-client.js';
import { parseOptions } from './lib/args.js';
import { demoImagePaths, listLfwPeople, spread } from './lib/lfw-people.js';
import { imageBody, type MultipartBody } from './lib/multipart.js';
import { createBenchDatabase, type BenchDatabase } from './lib/bench-database.js';
import {
  CpuMeter,
  describeLoad,
  ProcessGroupCpuMeter,
  resetPeakRss,
  statusMiB,
  totalCpuSeconds,
} from './lib/proc-stats.js';
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
 * The production shape: `--database-url` runs the service on a PostgreSQL + pgvector server (in a
 * database the benchmark creates for itself and drops afterwards), and `--instances 1,2` measures 1
 * API instance, then 2 (each configuration on a fresh database, in the same run), on it, with shared rate-limit counters (RATE_LIMIT_STORE=database). Each level's
 * clients are split evenly over the instances — balanced on the client side, as DNS round robin
 * or a client pool would, so no proxy's CPU is in the figures. `--cores-per-instance K` pins
 * instance i to cores [iK, iK + K) with K inference workers, so that "one more instance" means
 * "one more machine's worth of CPU" on one host. The CPU of the server's postgres processes (when
 * they run on this machine) is measured beside the instances', and both go into CPU per request.
 *
 *   npm run bench:load -- [--profile mobilefacenet|dlib] [--dir ../shared/lfw-dev] [--duration 20]
 *                         [--concurrency 1,4,8,12] [--enrol 200] [--probes 160]
 *                         [--database-url postgresql://… [--instances 1,2] [--cores-per-instance 1]]
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
  'database-url': { type: 'string' },
  instances: { type: 'string', default: '1' },
  'cores-per-instance': { type: 'string' },
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
  /** All instances together, in % of one core. */
  serverCpuPct: number;
  /** The database server's processes (when local), in % of one core. */
  databaseCpuPct: number | undefined;
  /** Service + database CPU seconds per completed request. */
  cpuSecondsPerRequest: number;
  /** VmHWM summed over the instances: the peak during this level, or since start where it cannot be reset. */
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

/** Splits `total` clients over `parts` instances as evenly as possible (the first ones get the rest). */
function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

async function runLevel(
  services: ServiceHandle[],
  bodies: MultipartBody[],
  concurrency: number,
  seconds: number,
  measureDatabase: boolean,
): Promise<LevelResult> {
  const latencies: number[] = [];
  let matches = 0;
  let noMatches = 0;
  let next = 0;
  const pids = services.map((s) => s.pid).filter((pid): pid is number => pid !== undefined);
  const peakReset = pids.length === services.length && pids.every((pid) => resetPeakRss(pid));
  const serverCpu = pids.length > 0 ? new CpuMeter(() => totalCpuSeconds(pids)) : undefined;
  const databaseCpu = measureDatabase ? new ProcessGroupCpuMeter('postgres') : undefined;
  const clientCpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const liveness = probeLiveness(services[0]!.url);
  const ticker = setInterval(() => {
    databaseCpu?.seconds(); // a reading now and then, so backends that exit are not lost
    const elapsed = msSince(started) / 1000;
    info(
      `[c=${concurrency}] ${elapsed < seconds ? `${elapsed.toFixed(0)}/${seconds} s` : 'finishing'}` +
        `, ${latencies.length} responses, p50 so far ${round(percentile(latencies, 50), 0)} ms`,
    );
  }, 5000);
  const shares = split(concurrency, services.length);
  let results: autocannon.Result[];
  try {
    results = await Promise.all(
      services.flatMap((service, i) =>
        shares[i]! > 0
          ? [
              new Promise<autocannon.Result>((resolve, reject) => {
                const instance = autocannon(
                  {
                    url: service.url,
                    connections: shares[i]!,
                    duration: seconds,
                    timeout: args.number('timeout'),
                    requests: [
                      {
                        method: 'POST',
                        path: '/api/v1/recognise_user',
                        // Every request takes the next probe body: all clients together rotate over them.
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
                  (error: unknown, result: autocannon.Result) =>
                    error
                      ? reject(error instanceof Error ? error : new Error(String(error)))
                      : resolve(result),
                );
                instance.on('response', (_client, _status, _bytes, responseTime) =>
                  latencies.push(responseTime),
                );
              }),
            ]
          : [],
      ),
    );
  } finally {
    clearInterval(ticker);
  }
  const live = liveness.stop();
  const wallS = msSince(started) / 1000;
  const cpu = process.cpuUsage(clientCpu);
  const duration = Math.max(...results.map((r) => r.duration));
  const sum = (pick: (r: autocannon.Result) => number) => results.reduce((total, r) => total + pick(r), 0);
  const serverSeconds = serverCpu?.seconds() ?? Number.NaN;
  const databaseSeconds = databaseCpu?.seconds();
  const peaks = pids.map((pid) => statusMiB(pid, 'VmHWM') ?? Number.NaN);
  return {
    concurrency,
    durationS: round(duration, 1),
    requests: latencies.length,
    throughputRps: round(latencies.length / duration, 2),
    p50Ms: round(percentile(latencies, 50), 1),
    p95Ms: round(percentile(latencies, 95), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    maxMs: round(Math.max(...latencies), 1),
    errors: sum((r) => r.non2xx + r.errors),
    non2xx: sum((r) => r.non2xx),
    timeouts: sum((r) => r.timeouts),
    connectionErrors: sum((r) => r.errors),
    matches,
    noMatches,
    serverCpuPct: round((100 * serverSeconds) / wallS, 0),
    databaseCpuPct: databaseSeconds === undefined ? undefined : round((100 * databaseSeconds) / wallS, 0),
    cpuSecondsPerRequest: round((serverSeconds + (databaseSeconds ?? 0)) / Math.max(latencies.length, 1), 4),
    serverPeakRssMiB:
      peaks.length > 0
        ? round(
            peaks.reduce((a, b) => a + b, 0),
            0,
          )
        : undefined,
    peakRssSinceStart: !peakReset,
    clientCpuPct: round((100 * (cpu.user + cpu.system)) / 1e6 / wallS, 0),
    liveP50Ms: round(percentile(live, 50), 1),
    liveP95Ms: round(percentile(live, 95), 1),
    liveMaxMs: round(Math.max(...live), 1),
  };
}

/**
 * The instances under test: one on a fresh embedded database by default; with `--database-url`,
 * `--instances` of them on a database of their own on that server, the first creating the key
 * the others use.
 */
async function startInstances(
  profile: string,
  count: number,
): Promise<{ services: ServiceHandle[]; database?: BenchDatabase }> {
  const serverUrl = args.optionalString('database-url');
  if (count > 1 && !serverUrl)
    throw new Error('--instances > 1 needs --database-url (the embedded database serves one process)');
  const coresEach = args.optionalString('cores-per-instance') ? args.number('cores-per-instance') : undefined;
  const database = serverUrl ? await createBenchDatabase(serverUrl) : undefined;
  const services: ServiceHandle[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const cpus = coresEach ? `${i * coresEach}-${(i + 1) * coresEach - 1}` : undefined;
      services.push(
        await startService({
          label: `load-${i + 1}`,
          profile,
          scopes: ['recognise', 'enroll'],
          databaseUrl: database?.url,
          key: services[0]?.key,
          cpus,
          env: {
            ...(database ? { RATE_LIMIT_STORE: 'database' } : {}),
            ...(coresEach ? { INFERENCE_WORKERS: String(coresEach), INFERENCE_THREADS: '1' } : {}),
          },
        }),
      );
    }
  } catch (error) {
    await Promise.all(services.map((service) => service.stop()));
    await database?.drop();
    throw error;
  }
  return { services, database };
}

interface Configuration {
  instances: number;
  enrolment: Record<string, number>;
  levels: LevelResult[];
}

/**
 * One configuration: its instances on a fresh database, the same enrolment, then every level.
 * `beforeLevels` runs once the service is up and enrolled (the bare-pipeline timing).
 */
async function runConfiguration(
  count: number,
  images: ReturnType<typeof selectImages>,
  profile: string | undefined,
  beforeLevels: (client: BenchApiClient, served: ServedModels) => Promise<ImageFile[]>,
): Promise<Configuration & { served: ServedModels }> {
  const url = args.optionalString('url');
  let services: ServiceHandle[];
  let database: BenchDatabase | undefined;
  if (url) {
    const pid = args.optionalString('pid');
    services = [externalService(url, args.string('key'), pid ? Number(pid) : undefined)];
  } else {
    ({ services, database } = await startInstances(profile!, count));
  }
  // A server on this machine: its processes' CPU belongs to the cost of a request too.
  const measureDatabase = database !== undefined;
  const levels: LevelResult[] = [];
  const duration = args.number('duration');
  try {
    const client = new BenchApiClient(services[0]!.url, services[0]!.key);
    const served = await client.models();
    const enrolment = await enrol(client, images.enrol);
    info(`[${count} instance(s)] enrolment: ${JSON.stringify(enrolment)}`);
    const probes = await beforeLevels(client, served);
    for (const probe of probes.slice(0, args.number('warmup'))) await client.recognise(probe.bytes);
    const bodies = probes.map((p) => imageBody(p.bytes));
    for (const concurrency of args.numbers('concurrency')) {
      info(`[${count}×, c=${concurrency}] ${duration} s of recognise_user with ${concurrency} client(s)`);
      const level = await runLevel(services, bodies, concurrency, duration, measureDatabase);
      info(
        `[${count}×, c=${concurrency}] ${level.requests} requests, ${level.throughputRps} req/s, p50 ${level.p50Ms} ms, ` +
          `p95 ${level.p95Ms} ms, ${level.errors} errors, server CPU ${level.serverCpuPct} %` +
          `${level.databaseCpuPct !== undefined ? `, database CPU ${level.databaseCpuPct} %` : ''}, ` +
          `${level.cpuSecondsPerRequest} CPU s/request`,
      );
      levels.push(level);
      // Requests still queued in the servers when autocannon stopped would slow the next level's
      // first requests: one more request per instance waits behind them, then a short pause.
      await Promise.all(services.map((s) => new BenchApiClient(s.url, s.key).recognise(probes[0]!.bytes)));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return { instances: count, enrolment, levels, served };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await database?.drop();
  }
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const load = describeLoad(machine.cpus);
  info(`bench:load on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`);
  info(load.text);
  const duration = args.number('duration');
  const images = selectImages(
    args.string('dir'),
    args.number('enrol'),
    args.number('probes'),
    args.number('unknown-share'),
  );
  info(`${images.source}: ${images.enrol.length} enrolment images, ${images.probes.length} probe images`);
  const counts = args.numbers('instances');
  let profile: string | undefined;
  if (args.optionalString('url')) {
    if (args.optionalString('profile') || counts.length > 1 || counts[0] !== 1)
      throw new Error('--profile and --instances apply to services started here, not with --url');
  } else {
    ensureBuilt(args.flag('no-build'));
    profile = (await selectProfile(SERVICE_CONFIG, args.optionalString('profile'))).name;
  }

  let bare: Awaited<ReturnType<typeof barePipeline>> | undefined;
  let bareMs: Summary | undefined;
  let served: ServedModels | undefined;
  const configurations: Configuration[] = [];
  for (const count of counts) {
    const configuration = await runConfiguration(count, images, profile, async (_client, models) => {
      // Timed once, with the first configuration started but idle, right before its single-client
      // level: the machine is shared, and the figures are only comparable back to back.
      if (!bare) {
        bare = await barePipeline(images.probes, models.serving.name);
        bareMs = summarize(bare.timed.map((t) => t.ms));
        info(
          `bare pipeline: p50 ${round(bareMs.p50, 1)} ms, mean ${round(bareMs.mean, 1)} ms over ${bareMs.n} images ` +
            `(${bare.noFace} without a face dropped from the probes)`,
        );
      }
      const probes = bare.timed.map((t) => t.probe);
      if (probes.length === 0) throw new Error('no probe image has a detectable face');
      return probes;
    });
    served ??= configuration.served;
    configurations.push({
      instances: count,
      enrolment: configuration.enrolment,
      levels: configuration.levels,
    });
  }
  if (!bare || !bareMs || !served) throw new Error('nothing was measured');
  const probes = bare.timed.map((t) => t.probe);
  // Again after the levels: a large change means the machine's other load changed meanwhile.
  const bareAfter = summarize((await barePipeline(probes, served.serving.name)).timed.map((t) => t.ms));
  info(`bare pipeline after the levels: p50 ${round(bareAfter.p50, 1)} ms`);
  const rule = args.optionalString('url') ? undefined : serviceRule(served.serving, SERVICE_CONFIG);
  const where = args.optionalString('database-url')
    ? 'PostgreSQL'
    : args.optionalString('url')
      ? 'external service'
      : 'embedded database';
  const cores = args.optionalString('cores-per-instance');

  for (const configuration of configurations) {
    printTable(
      `recognise_user under load, ${configuration.instances} instance(s)${cores ? ` pinned to ${cores} core(s) each` : ''} ` +
        `on the ${where}, profile ${served.serving.name} (${served.serving.embedding_space}) ` +
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
        'database CPU %',
        'CPU s/request',
        'server peak RSS MiB',
        'client CPU %',
        'live p50/p95/max ms',
      ],
      configuration.levels.map((r) => [
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
        r.databaseCpuPct ?? 'n/a',
        r.cpuSecondsPerRequest,
        r.serverPeakRssMiB ?? 'n/a',
        r.clientCpuPct,
        `${r.liveP50Ms}/${r.liveP95Ms}/${r.liveMaxMs}`,
      ]),
    );
  }
  const first = configurations[0]!;
  if (configurations.length > 1) {
    printTable(
      `Scaling: throughput of N instances against ${first.instances} (same run)`,
      [
        'clients',
        ...configurations.map((c) => `${c.instances}× req/s (p95 ms)`),
        'ratio of the last to the first',
      ],
      first.levels.map((level, i) => [
        level.concurrency,
        ...configurations.map((c) => `${c.levels[i]?.throughputRps} (${c.levels[i]?.p95Ms})`),
        round((configurations.at(-1)!.levels[i]?.throughputRps ?? Number.NaN) / level.throughputRps, 2),
      ]),
    );
  }
  const last = configurations.at(-1)!;
  const scaling =
    first.levels.at(-1) && last.levels.at(-1)
      ? last.levels.at(-1)!.throughputRps / first.levels.at(-1)!.throughputRps
      : Number.NaN;
  const c1 = first.levels.find((r) => r.concurrency === 1);
  const ratio = c1 ? c1.p50Ms / bareMs.p50 : Number.NaN;
  const c12 = first.levels.find((r) => r.concurrency === 12);
  printTable(
    `Targets (${first.instances} instance(s))`,
    ['target', 'measured', 'met'],
    [
      [
        'p50 at 1 client ≤ 1.3 × bare pipeline p50',
        `${c1?.p50Ms ?? 'n/a'} ms / ${round(bareMs.p50, 1)} ms = ${round(ratio, 2)}× ` +
          `(bare p50 after the levels: ${round(bareAfter.p50, 1)} ms)`,
        ratio <= 1.3 ? 'yes' : 'no',
      ],
      [
        '12 clients: 0 errors, p95 < 1.5 s',
        c12 ? `${c12.errors} errors, p95 ${c12.p95Ms} ms` : 'not run',
        c12 ? (c12.errors === 0 && c12.p95Ms < 1500 ? 'yes' : 'no') : 'n/a',
      ],
      ...(configurations.length > 1
        ? [
            [
              `${last.instances} instances ≥ ${last.instances === 2 ? 1.8 : 0.9 * last.instances}× the throughput of ${first.instances} (${first.levels.at(-1)!.concurrency} clients)`,
              `${round(scaling, 2)}×`,
              scaling >= (last.instances === 2 ? 1.8 : 0.9 * last.instances) / first.instances ? 'yes' : 'no',
            ],
          ]
        : []),
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
    durationS: duration,
    barePipelineMs: { p50: round(bareMs.p50, 2), mean: round(bareMs.mean, 2), p95: round(bareMs.p95, 2) },
    barePipelineAfterLevelsMs: { p50: round(bareAfter.p50, 2), mean: round(bareAfter.mean, 2) },
    config: {
      database: where,
      coresPerInstance: cores ? Number(cores) : null,
      inferenceWorkers: cores ? Number(cores) : SERVICE_CONFIG.models.workers,
      inferenceThreads: cores ? 1 : SERVICE_CONFIG.models.threadsPerWorker,
    },
    p50RatioConcurrency1: round(ratio, 3),
    configurations,
  });
}

await main();
