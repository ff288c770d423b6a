import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FaceDetector } from '../src/face/face.ports.js';
import type { Box, DecodedImage } from '../src/face/face.types.js';
import { parseOptions } from './lib/args.js';
import { parsePairs } from './lib/lfw-pairs.js';
import { spread } from './lib/lfw-people.js';
import { describeLoad, type Interval, startInterval } from './lib/proc-stats.js';
import { info, machineInfo, printJson, printTable, progress } from './lib/report.js';
import {
  benchConfig,
  describeProfile,
  detectorSettings,
  loadProfile,
  selectProfiles,
  startPipeline,
} from './lib/setup.js';
import { pct, round, summarize } from './lib/stats.js';
import { lineChartSvg, writeSvg } from './lib/svg.js';
import { greedyMatch, parseWiderGroundTruth } from './lib/wider.js';

/**
 * Face detection benchmark: each profile's production detector (`FaceDetector.detect` of the
 * loaded profile — MTCNN for mobilefacenet, SSD + 68-point landmarks for dlib — with all its
 * pre- and post-processing, retries and landmark runs) on the WIDER FACE subset: recall at
 * IoU ≥ 0.5 (faces ≥ 40 px high and all faces), precision, wall and CPU milliseconds per image,
 * at each profile's default threshold and the `--scores` list (each a separate, real detect call
 * with `minScore`: the SSD score, or MTCNN's O-Net probability). The precision/recall chart comes
 * from one more call per image at minScore 0.1, filtered at 0.1–0.9 (an approximation for the
 * SSD, whose zoomed-out retry depends on the threshold). Then the detection rate on LFW View 1
 * (a face found in how many of the pair files' 4,992 images) at each profile's defaults.
 *
 * Images go through one at a time. CPU per image is `process.cpuUsage()` over the call: on Linux
 * it counts every thread of the process, so the inference worker's work is included — and, with
 * the benchmarks' default of 2 ORT threads per worker, ONNX Runtime's spinning pool threads too
 * (run with INFERENCE_THREADS=1 for what the service, one thread per worker, spends).
 *
 *   npm run bench:detect -- [--profile all|mobilefacenet|dlib] [--dir ../shared/detection-dev] [--limit 20]
 *                           [--scores 0.3,0.5,0.7,0.9] [--min-face-size N] [--no-sweep]
 *                           [--lfw ../shared/lfw-dev] [--lfw-limit 500 | --no-lfw] [--svg file | --no-svg]
 */

const args = parseOptions({
  dir: { type: 'string', default: '../shared/detection-dev' },
  profile: { type: 'string' },
  limit: { type: 'string' },
  scores: { type: 'string', default: '0.3,0.5,0.7,0.9' },
  'min-face-size': { type: 'string' },
  'no-sweep': { type: 'boolean', default: false },
  lfw: { type: 'string', default: '../shared/lfw-dev' },
  'lfw-limit': { type: 'string' },
  'no-lfw': { type: 'boolean', default: false },
  svg: { type: 'string', default: 'docs/img/detection-pr.svg' },
  'no-svg': { type: 'boolean', default: false },
});

const LARGE_FACE = 40;
const SWEEP = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

interface Found {
  box: Box;
  score: number;
}

interface ImageRun {
  faces: Found[];
  truth: Box[];
}

interface Scored {
  profile: string;
  detector: string;
  minScore: number;
  isDefault: boolean;
  recallLarge: number;
  /** Recall of faces ≥ 40 px at the looser IoU ≥ 0.3: separates "missed" from "box drawn differently". */
  recallLargeIou03: number;
  recallAll: number;
  precision: number;
  precisionLarge: number;
  detections: number;
  msP50?: number;
  msP95?: number;
  cpuMsMean?: number;
  cpuMsP50?: number;
}

interface LfwRow {
  profile: string;
  detector: string;
  minScore: number;
  images: number;
  withFace: number;
  noFace: number;
  multiFace: number;
  detectionRate: number;
  msP50: number;
  msP95: number;
  cpuMsMean: number;
  cpuMsP50: number;
  noFaceFiles: string[];
}

function score(runs: readonly ImageRun[], minScore: number) {
  let gtAll = 0;
  let gtLarge = 0;
  let hitAll = 0;
  let hitLarge = 0;
  let hitLargeLoose = 0;
  let dets = 0;
  let detHits = 0;
  let detsLarge = 0;
  let detLargeHits = 0;
  for (const { faces, truth } of runs) {
    const kept = faces.filter((f) => f.score >= minScore);
    const { gtMatched, detMatched } = greedyMatch(kept, truth, 0.5);
    const loose = greedyMatch(kept, truth, 0.3).gtMatched;
    truth.forEach((gt, i) => {
      gtAll++;
      if (gtMatched[i]) hitAll++;
      if (gt.height >= LARGE_FACE) {
        gtLarge++;
        if (gtMatched[i]) hitLarge++;
        if (loose[i]) hitLargeLoose++;
      }
    });
    kept.forEach((d, i) => {
      dets++;
      if (detMatched[i]) detHits++;
      if (d.box.height >= LARGE_FACE) {
        detsLarge++;
        if (detMatched[i]) detLargeHits++;
      }
    });
  }
  return {
    recallLarge: pct(hitLarge, gtLarge),
    recallLargeIou03: pct(hitLargeLoose, gtLarge),
    recallAll: pct(hitAll, gtAll),
    precision: pct(detHits, dets),
    precisionLarge: pct(detLargeHits, detsLarge),
    detections: dets,
  };
}

async function detectTimed(detector: FaceDetector, image: DecodedImage, minScore?: number) {
  const end = startInterval();
  const faces = await detector.detect(image, minScore === undefined ? {} : { minScore });
  return { faces: faces.map(({ box, score }) => ({ box, score })), interval: end() };
}

function timing(intervals: Interval[]) {
  const wall = summarize(intervals.map((i) => i.wallMs));
  const cpu = summarize(intervals.map((i) => i.cpuMs));
  return {
    msP50: round(wall.p50, 1),
    msP95: round(wall.p95, 1),
    cpuMsMean: round(cpu.mean, 1),
    cpuMsP50: round(cpu.p50, 1),
  };
}

/** The unique images of LFW View 1's two pair files (4,992), optionally a spread-out sample. */
function lfwImages(dir: string, limit?: number): string[] {
  if (!existsSync(path.join(dir, 'pairsDevTrain.txt'))) return [];
  const pairs = [
    ...parsePairs(path.join(dir, 'pairsDevTrain.txt')),
    ...parsePairs(path.join(dir, 'pairsDevTest.txt')),
  ];
  const all = [...new Set(pairs.flatMap((p) => [p.a, p.b]))].sort();
  return limit ? spread(all, limit) : all;
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const load = describeLoad(machine.cpus);
  info(load.text);
  const dir = path.resolve(args.string('dir'));
  const limit = args.optionalInt('limit');
  const all = parseWiderGroundTruth(path.join(dir, 'subset_gt_416_xywh.txt'));
  const images = limit ? all.slice(0, limit) : all;
  const minFaceSize = args.optionalString('min-face-size');
  // As the service would apply it: DETECTION_MIN_FACE_SIZE overrides every profile's minimum.
  const config = benchConfig(minFaceSize ? { DETECTION_MIN_FACE_SIZE: minFaceSize } : {});
  const profiles = await selectProfiles(config, args.optionalString('profile'), 'all');
  const scores = args.numbers('scores');
  const sweep = !args.flag('no-sweep');
  const gtCount = images.reduce((n, i) => n + i.boxes.length, 0);
  const gtLarge = images.reduce((n, i) => n + i.boxes.filter((b) => b.height >= LARGE_FACE).length, 0);
  info(
    `${images.length} images, ${gtCount} ground-truth faces (${gtLarge} ≥ ${LARGE_FACE} px high) in ${dir}; ` +
      `profiles ${profiles.map((p) => p.name).join(', ')}`,
  );
  const lfwDir = path.resolve(args.string('lfw'));
  const lfw = args.flag('no-lfw') ? [] : lfwImages(lfwDir, args.optionalInt('lfw-limit'));

  const pipeline = await startPipeline(config, profiles[0]!.name);
  const rows: Scored[] = [];
  const curves: { label: string; points: { x: number; y: number }[] }[] = [];
  const lfwRows: LfwRow[] = [];
  const described: object[] = [];
  try {
    const decoded: DecodedImage[] = [];
    for (const image of images) {
      decoded.push(await pipeline.intake.decode(await readFile(path.join(dir, 'images', image.file))));
    }
    for (const profile of profiles) {
      const models = await loadProfile(pipeline, profile.name, config);
      described.push(describeProfile(models, config));
      const settings = detectorSettings(profile, config);
      const defaultScore = settings.minScore;
      const thresholds = [...new Set([...scores, defaultScore])].sort((a, b) => a - b);
      const runs = new Map<number, ImageRun[]>(thresholds.map((t) => [t, []]));
      const times = new Map<number, Interval[]>(thresholds.map((t) => [t, []]));
      const sweepRuns: ImageRun[] = [];
      // One untimed call per threshold: the first run of an input size allocates in ONNX Runtime.
      for (const t of thresholds) await models.detector.detect(decoded[0]!, { minScore: t });
      const tick = progress(`wider ${profile.name}`, decoded.length);
      for (const [i, image] of decoded.entries()) {
        const truth = images[i]!.boxes;
        for (const t of thresholds) {
          const { faces, interval } = await detectTimed(models.detector, image, t);
          runs.get(t)!.push({ faces, truth });
          times.get(t)!.push(interval);
        }
        if (sweep)
          sweepRuns.push({ faces: (await detectTimed(models.detector, image, SWEEP[0])).faces, truth });
        tick(i + 1);
      }
      for (const t of thresholds) {
        rows.push({
          profile: profile.name,
          detector: settings.family,
          minScore: t,
          isDefault: t === defaultScore,
          ...score(runs.get(t)!, t),
          ...timing(times.get(t)!),
        });
      }
      if (sweep) {
        curves.push({
          label: `${profile.name} (${settings.family})`,
          points: SWEEP.map((t) => {
            const s = score(sweepRuns, t);
            return { x: s.recallLarge, y: s.precision };
          }),
        });
      }

      if (lfw.length > 0) {
        let none = 0;
        let multi = 0;
        const intervals: Interval[] = [];
        const noFace: string[] = [];
        const lfwTick = progress(`lfw ${profile.name}`, lfw.length);
        for (const [i, file] of lfw.entries()) {
          const image = await pipeline.intake.decode(await readFile(path.join(lfwDir, file)));
          const { faces, interval } = await detectTimed(models.detector, image);
          intervals.push(interval);
          if (faces.length === 0) {
            none++;
            noFace.push(file);
          }
          if (faces.length > 1) multi++;
          lfwTick(i + 1);
        }
        lfwRows.push({
          profile: profile.name,
          detector: settings.family,
          minScore: defaultScore,
          images: lfw.length,
          withFace: lfw.length - none,
          noFace: none,
          multiFace: multi,
          detectionRate: pct(lfw.length - none, lfw.length, 2),
          ...timing(intervals),
          noFaceFiles: noFace,
        });
      }
    }
  } finally {
    await pipeline.close();
  }

  const svgFile = args.flag('no-svg') || !sweep ? undefined : path.resolve(args.string('svg'));
  if (svgFile) {
    writeSvg(
      svgFile,
      lineChartSvg(curves, {
        title: `WIDER subset (${images.length} images): precision vs recall, minScore ${SWEEP[0]}–${SWEEP.at(-1)}`,
        xLabel: `recall, faces ≥ ${LARGE_FACE} px high (%)`,
        yLabel: 'precision, all detections (%)',
        xRange: [0, 100],
        legend: 'bottom-left',
        yRange: [0, 100],
      }),
    );
    info(`wrote ${path.relative(process.cwd(), svgFile)}`);
  }

  printTable(
    `Detection, WIDER FACE val subset (${images.length} images, ${gtCount} faces, ${gtLarge} ≥ ${LARGE_FACE} px), ` +
      `IoU ≥ 0.5, greedy matching; production detectors, one image at a time ` +
      `(${config.models.workers} worker × ${config.models.threadsPerWorker} ORT threads); * = profile default`,
    [
      'profile',
      'detector',
      'minScore',
      `recall ≥${LARGE_FACE}px %`,
      `recall ≥${LARGE_FACE}px IoU≥0.3 %`,
      'recall all %',
      'precision %',
      `precision ≥${LARGE_FACE}px %`,
      'detections',
      'ms/img p50',
      'ms/img p95',
      'CPU ms/img mean',
    ],
    rows.map((r) => [
      r.profile,
      r.detector,
      `${r.minScore}${r.isDefault ? ' *' : ''}`,
      r.recallLarge,
      r.recallLargeIou03,
      r.recallAll,
      r.precision,
      r.precisionLarge,
      r.detections,
      r.msP50 ?? '',
      r.msP95 ?? '',
      r.cpuMsMean ?? '',
    ]),
  );
  if (lfwRows.length > 0) {
    printTable(
      `Detection rate on LFW View 1 (${lfw.length} images of the two pair files, ${lfwDir}), profile defaults`,
      [
        'profile',
        'detector',
        'minScore',
        'images',
        'face found',
        'no face',
        '>1 face',
        'rate %',
        'ms p50',
        'ms p95',
        'CPU ms mean',
      ],
      lfwRows.map((r) => [
        r.profile,
        r.detector,
        r.minScore,
        r.images,
        r.withFace,
        r.noFace,
        r.multiFace,
        r.detectionRate,
        r.msP50,
        r.msP95,
        r.cpuMsMean,
      ]),
    );
  }
  process.stdout.write(`\n${load.text}\n`);
  printJson({
    benchmark: 'detection',
    dir,
    images: images.length,
    groundTruth: { all: gtCount, large: gtLarge, largeMinHeight: LARGE_FACE },
    minFaceSizeOverride: config.models.minFaceSize ?? null,
    workers: config.models.workers,
    threads: config.models.threadsPerWorker,
    machine,
    loadHigh: load.high,
    profiles: described,
    results: rows,
    sweep: curves,
    lfw: lfwRows,
    svg: svgFile ? path.relative(process.cwd(), svgFile) : null,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
