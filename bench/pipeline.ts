import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type CropConfig, loadConfig } from '../src/config/app-config.js';
import type { ProfileModels } from '../src/face/face.ports.js';
import type { FaceChip } from '../src/face/face.types.js';
import { OnnxFaceEmbedder } from '../src/infra/inference/embedder/onnx-face-embedder.js';
import type { FacePipeline } from '../src/pipeline/create-face-pipeline.js';
import { largestFace } from '../src/pipeline/face-analysis.service.js';
import { assessQuality } from '../src/pipeline/face-quality.js';
import { qualityPatch, storedCrop } from '../src/pipeline/face-regions.js';
import { parseOptions } from './lib/args.js';
import { demoImagePaths, listLfwPeople, spread } from './lib/lfw-people.js';
import { describeLoad, type Interval, startInterval } from './lib/proc-stats.js';
import { info, machineInfo, peakRssMiB, printJson, printTable, progress } from './lib/report.js';
import { describeProfile, loadProfile, selectProfiles, startPipeline } from './lib/setup.js';
import { round, summarize } from './lib/stats.js';

/**
 * Per-stage latency and CPU of the face pipeline, per model profile, on real photos: LFW photos
 * (250×250, one face or a few) and face-api's demo photos (1–3 MP, 3–6 faces). Each image goes
 * through the stages `FaceAnalysisService.analyze` is made of, one after the other and one image
 * at a time: decode (`ImageIntakeService.decode`), detect (the profile's `FaceDetector.detect`,
 * everything inside it: MTCNN's cascade, or the SSD with its retry and the 68-point landmarks),
 * quality (`qualityPatch` + `assessQuality`), crop (`storedCrop`, what recognise_user caches),
 * embed.chips (`OnnxFaceEmbedder.cutChip`) and embed.model (`embedChips`: the model run, mirrored
 * chips included when the profile flips). Then the public `analyze(bytes, models, { crops: true })`
 * — what recognise_user runs before its database search — is timed on the same image as the
 * end-to-end figure. In `analyze()` quality, crops and embedding run concurrently, so it can be
 * faster than the sum of the stages.
 *
 * CPU: `process.cpuUsage()` over each stage counts every thread of the process on Linux (the
 * inference worker and ONNX Runtime's threads included); the main thread's own share comes from
 * /proc/self/task/<pid>/schedstat. The pool runs with the service's own settings
 * (INFERENCE_WORKERS / INFERENCE_THREADS defaults: one single-threaded worker per core), so the
 * CPU figures are what the service spends; with INFERENCE_THREADS > 1 ONNX Runtime's spinning
 * threads add CPU that does no work.
 *
 *   npm run bench:pipeline -- [--profile all|mobilefacenet|dlib] [--repeat 5] [--lfw ../shared/lfw-dev]
 *                             [--lfw-sample 100] [--no-demo] [--target-cpu-ms 40]
 */

const args = parseOptions({
  profile: { type: 'string' },
  repeat: { type: 'string', default: '5' },
  lfw: { type: 'string', default: '../shared/lfw-dev' },
  'lfw-sample': { type: 'string', default: '100' },
  'no-demo': { type: 'boolean', default: false },
  'target-cpu-ms': { type: 'string', default: '40' },
  'target-profile': { type: 'string', default: 'mobilefacenet' },
});

const STAGES = [
  'decode',
  'detect',
  'quality',
  'crop',
  'embed.chips',
  'embed.model',
  'embed',
  'stages total',
  'analyze() end to end',
] as const;
type Stage = (typeof STAGES)[number];

interface Sample {
  set: 'lfw' | 'demo';
  name: string;
  bytes: Buffer;
}

/** Every k-th LFW person's first image, so the sample is spread across the alphabet. */
function lfwImages(dir: string, count: number): Sample[] {
  const people = listLfwPeople(dir);
  if (!people || count === 0) return [];
  return spread(people, count).map((p) => ({
    set: 'lfw',
    name: path.basename(p.images[0]!),
    bytes: readFileSync(p.images[0]!),
  }));
}

function demoImages(): Sample[] {
  return demoImagePaths().map((file) => ({
    set: 'demo',
    name: path.basename(file),
    bytes: readFileSync(file),
  }));
}

/** One pass through the stages for one image, as `FaceAnalysisService.analyzeDecoded` runs them. */
async function timeStages(
  p: FacePipeline,
  models: ProfileModels,
  embedder: OnnxFaceEmbedder,
  crops: CropConfig,
  bytes: Buffer,
) {
  const t: Partial<Record<Stage, Interval>> = {};
  const all = startInterval();

  let end = startInterval();
  const image = await p.intake.decode(bytes);
  t.decode = end();

  end = startInterval();
  const faces = await models.detector.detect(image);
  t.detect = end();

  end = startInterval();
  await Promise.all(faces.map(async (face) => assessQuality(face, await qualityPatch(image, face.box))));
  t.quality = end();

  end = startInterval();
  await Promise.all(faces.map((face) => storedCrop(image, face.box, crops)));
  t.crop = end();

  end = startInterval();
  const chips: FaceChip[] = await Promise.all(faces.map((face) => embedder.cutChip(image, face)));
  t['embed.chips'] = end();

  end = startInterval();
  if (chips.length > 0) await embedder.embedChips(chips);
  t['embed.model'] = end();
  t.embed = add(t['embed.chips'], t['embed.model']);
  t['stages total'] = all();
  return { t, faces: faces.length };
}

function add(a: Interval, b: Interval): Interval {
  return { wallMs: a.wallMs + b.wallMs, cpuMs: a.cpuMs + b.cpuMs, mainCpuMs: a.mainCpuMs + b.mainCpuMs };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const load = describeLoad(machine.cpus);
  info(load.text);
  const repeat = args.optionalInt('repeat') ?? 5;
  // The service's own inference settings, so CPU per request is what the service spends.
  const config = loadConfig(process.env);
  const profiles = await selectProfiles(config, args.optionalString('profile'), 'all');
  const samples = [
    ...lfwImages(path.resolve(args.string('lfw')), Number(args.string('lfw-sample'))),
    ...(args.flag('no-demo') ? [] : demoImages()),
  ];
  if (samples.length === 0) throw new Error('no images: no LFW folder and --no-demo');
  const sets = (['lfw', 'demo'] as const).filter((s) => samples.some((x) => x.set === s));
  info(
    `${samples.length} images (${sets.map((s) => `${samples.filter((x) => x.set === s).length} ${s}`).join(', ')}), ` +
      `${repeat} passes each; profiles ${profiles.map((p) => p.name).join(', ')}`,
  );

  const pipeline = await startPipeline(config, profiles[0]!.name);
  type Summary = Record<string, Record<string, Record<string, number>>>;
  const reports: { profile: object; images: object; stages: Summary }[] = [];
  const analyzeCpu: Record<string, Record<string, { p50: number; p95: number; mean: number }>> = {};
  try {
    for (const profile of profiles) {
      const models = await loadProfile(pipeline, profile.name, config);
      if (!(models.embedder instanceof OnnxFaceEmbedder))
        throw new Error('the embedder is not an OnnxFaceEmbedder');
      const embedder = models.embedder;
      const times = new Map<string, Map<Stage, Interval[]>>();
      const faceCounts = new Map<string, number[]>();
      const record = (set: string, stage: Stage, interval: Interval) => {
        if (!times.has(set)) times.set(set, new Map());
        const m = times.get(set)!;
        if (!m.has(stage)) m.set(stage, []);
        m.get(stage)!.push(interval);
      };
      // One untimed pass over a few images of each set so libvips, the JIT and ONNX Runtime's
      // arenas are warm for every image size.
      for (const set of sets) {
        for (const sample of samples.filter((s) => s.set === set).slice(0, 6)) {
          await pipeline.analysis.analyze(sample.bytes, models, { crops: true });
        }
      }
      const tick = progress(`pipeline ${profile.name}`, samples.length * repeat);
      let done = 0;
      for (let r = 0; r < repeat; r++) {
        for (const sample of samples) {
          const { t, faces } = await timeStages(pipeline, models, embedder, config.crops, sample.bytes);
          for (const stage of STAGES) if (t[stage]) record(sample.set, stage, t[stage]);
          if (r === 0) faceCounts.set(sample.set, [...(faceCounts.get(sample.set) ?? []), faces]);
          // recognise_user's share of the work: analyze with crops, then the largest face.
          const end = startInterval();
          const result = await pipeline.analysis.analyze(sample.bytes, models, { crops: true });
          if (result.faces.length > 0) largestFace(result.faces);
          record(sample.set, 'analyze() end to end', end());
          tick(++done);
        }
      }

      const stages: Summary = {};
      for (const set of sets) {
        stages[set] = {};
        for (const stage of STAGES) {
          const values = times.get(set)?.get(stage);
          if (!values) continue;
          const wall = summarize(values.map((v) => v.wallMs));
          const cpu = summarize(values.map((v) => v.cpuMs));
          const main = summarize(values.map((v) => v.mainCpuMs));
          stages[set][stage] = {
            wallP50: round(wall.p50, 2),
            wallP95: round(wall.p95, 2),
            cpuP50: round(cpu.p50, 2),
            cpuP95: round(cpu.p95, 2),
            cpuMean: round(cpu.mean, 2),
            mainThreadCpuMean: round(main.mean, 2),
          };
        }
        const e2e = stages[set]['analyze() end to end']!;
        (analyzeCpu[profile.name] ??= {})[set] = { p50: e2e.cpuP50!, p95: e2e.cpuP95!, mean: e2e.cpuMean! };
      }
      const images = Object.fromEntries(
        [...faceCounts].map(([set, counts]) => [
          set,
          {
            images: counts.length,
            faces: counts.reduce((a, b) => a + b, 0),
            noFace: counts.filter((c) => c === 0).length,
            max: Math.max(...counts),
          },
        ]),
      );
      for (const set of sets) {
        const f = images[set] as { images: number; faces: number; noFace: number; max: number };
        printTable(
          `${profile.name} (${models.embedder.space.key}): stage latency and CPU, ${set} images ` +
            `(${f.images} images, ${f.faces} faces, up to ${f.max} per image, ${f.noFace} without a face), ms per image`,
          ['stage', 'wall p50', 'wall p95', 'CPU p50', 'CPU p95', 'CPU mean', 'main-thread CPU mean'],
          STAGES.filter((stage) => stages[set]![stage]).map((stage) => {
            const s = stages[set]![stage]!;
            return [stage, s.wallP50!, s.wallP95!, s.cpuP50!, s.cpuP95!, s.cpuMean!, s.mainThreadCpuMean!];
          }),
        );
      }
      reports.push({ profile: describeProfile(models, config), images, stages });
    }
  } finally {
    await pipeline.close();
  }

  const target = Number(args.string('target-cpu-ms'));
  const targetProfile = args.string('target-profile');
  const measured = analyzeCpu[targetProfile]?.lfw;
  printTable(
    'CPU per recognise_user-equivalent call (analyze with crops + largest face; no database search), ms',
    ['profile', 'set', 'CPU p50', 'CPU p95', 'CPU mean'],
    Object.entries(analyzeCpu).flatMap(([profile, bySet]) =>
      Object.entries(bySet).map(([set, c]) => [profile, set, c.p50, c.p95, c.mean]),
    ),
  );
  printTable(
    'Target',
    ['target', 'measured', 'met'],
    [
      [
        `${targetProfile}: ≤ ${target} ms CPU per LFW photo (mean)`,
        measured ? `mean ${measured.mean} ms, p50 ${measured.p50} ms, p95 ${measured.p95} ms` : 'not run',
        measured ? (measured.mean <= target ? 'yes' : 'no') : 'n/a',
      ],
    ],
  );
  const rss = peakRssMiB();
  process.stdout.write(`\nPeak RSS (process incl. inference workers): ${rss} MiB; ${load.text}\n`);
  printJson({
    benchmark: 'pipeline',
    machine,
    loadHigh: load.high,
    config: { workers: config.models.workers, threads: config.models.threadsPerWorker },
    repeat,
    profiles: reports,
    analyzeCpuMs: analyzeCpu,
    target: {
      profile: targetProfile,
      cpuMsPerLfwPhoto: target,
      met: measured ? measured.mean <= target : null,
    },
    peakRssMiB: rss,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
