import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ScoredBox } from '../src/detection/detection-postprocess.js';
import { decodeImage } from '../src/detection/image-intake.service.js';
import type { DecodedImage } from '../src/face/face.types.js';
import { SSD_INPUT_SIZE } from '../src/infra/inference/onnx-face-detector.js';
import { parseOptions } from './lib/args.js';
import { type BoxDetector, createBoxDetector } from './lib/onnx-detectors.js';
import { info, machineInfo, printJson, printTable, progress, routeLogsToStderr } from './lib/report.js';
import { benchConfig } from './lib/setup.js';
import { msSince, pct, round, summarize } from './lib/stats.js';
import { lineChartSvg, writeSvg } from './lib/svg.js';
import { greedyMatch, parseWiderGroundTruth } from './lib/wider.js';

/**
 * Face detection benchmark on the WIDER FACE subset: recall at IoU ≥ 0.5 (faces ≥ 40 px high and
 * all faces), precision, and ms/image, for the production SSD and face-api's tiny detector at
 * a few input sizes and score thresholds.
 *
 *   npm run bench:detect -- [--dir ../shared/detection-dev] [--limit 20] [--scores 0.3,0.5,0.7]
 */

const args = parseOptions({
  dir: { type: 'string', default: '../shared/detection-dev' },
  limit: { type: 'string' },
  scores: { type: 'string', default: '0.3,0.5,0.7' },
  detectors: { type: 'string', default: 'ssd512,ssd512-fill0.5,tiny416,tiny608' },
  'min-face-size': { type: 'string' },
  svg: { type: 'string', default: 'docs/img/detection-pr.svg' },
  'no-svg': { type: 'boolean', default: false },
});

/** The service's cap on faces per image (`MAX_FACES` in the ONNX detector). */
const MAX_FACES = 100;
const LARGE_FACE = 40;
const SWEEP = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

interface DetectorSpec {
  name: string;
  file: string;
  inputSize: number;
  iouThreshold: number;
  /** Share of the input the image fills (the production retry pass uses 0.5). */
  fill: number;
  production: boolean;
}

function detectorSpec(name: string): DetectorSpec {
  const ssd = new RegExp(`^ssd${SSD_INPUT_SIZE}(?:-fill(0?\\.\\d+))?$`).exec(name);
  if (ssd) {
    const fill = ssd[1] ? Number(ssd[1]) : 1;
    return {
      name,
      file: 'ssd_mobilenetv1.onnx',
      inputSize: SSD_INPUT_SIZE,
      iouThreshold: 0.5,
      fill,
      production: fill === 1,
    };
  }
  const tiny = /^tiny(\d+)$/.exec(name);
  if (tiny && Number(tiny[1]) % 32 === 0) {
    return {
      name,
      file: 'tiny_face_detector.onnx',
      inputSize: Number(tiny[1]),
      iouThreshold: 0.4,
      fill: 1,
      production: false,
    };
  }
  // The SSD graph has its 5,118 anchors baked in for a 512×512 input; other sizes cannot run.
  throw new Error(
    `Unknown detector '${name}': use ssd${SSD_INPUT_SIZE}, ssd${SSD_INPUT_SIZE}-fill0.5 or tinyN (N a multiple of 32)`,
  );
}

interface Scored {
  detector: string;
  inputSize: number;
  minScore: number;
  recallLarge: number;
  /** Recall of faces ≥ 40 px at the looser IoU ≥ 0.3: separates "missed" from "box drawn differently". */
  recallLargeIou03: number;
  recallAll: number;
  precision: number;
  precisionLarge: number;
  detections: number;
}

function score(
  detector: string,
  inputSize: number,
  minScore: number,
  perImage: { faces: ScoredBox[]; truth: { x: number; y: number; width: number; height: number }[] }[],
): Scored {
  let gtAll = 0;
  let gtLarge = 0;
  let hitAll = 0;
  let hitLarge = 0;
  let hitLargeLoose = 0;
  let dets = 0;
  let detHits = 0;
  let detsLarge = 0;
  let detLargeHits = 0;
  for (const { faces, truth } of perImage) {
    // What the service returns: boxes at or above the threshold, at most MAX_FACES, best first.
    const kept = faces
      .filter((f) => f.score >= minScore)
      .sort((a, b) => b.score - a.score)
      .slice(0, MAX_FACES);
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
    detector,
    inputSize,
    minScore,
    recallLarge: pct(hitLarge, gtLarge),
    recallLargeIou03: pct(hitLargeLoose, gtLarge),
    recallAll: pct(hitAll, gtAll),
    precision: pct(detHits, dets),
    precisionLarge: pct(detLargeHits, detsLarge),
    detections: dets,
  };
}

async function main(): Promise<void> {
  routeLogsToStderr();
  const dir = path.resolve(args.string('dir'));
  const limit = args.optionalInt('limit');
  const all = parseWiderGroundTruth(path.join(dir, 'subset_gt_416_xywh.txt'));
  const images = limit ? all.slice(0, limit) : all;
  const config = benchConfig();
  const minFaceSize =
    args.optionalString('min-face-size') !== undefined
      ? args.number('min-face-size')
      : config.models.minFaceSize;
  const thresholds = args.numbers('scores');
  const gtCount = images.reduce((n, i) => n + i.boxes.length, 0);
  const gtLarge = images.reduce((n, i) => n + i.boxes.filter((b) => b.height >= LARGE_FACE).length, 0);
  info(
    `${images.length} images, ${gtCount} ground-truth faces (${gtLarge} ≥ ${LARGE_FACE} px high) in ${dir}`,
  );

  const decoded: DecodedImage[] = [];
  for (const image of images) {
    decoded.push(await decodeImage(await readFile(path.join(dir, 'images', image.file)), config.images));
  }

  const specs = args
    .string('detectors')
    .split(',')
    .map((s) => detectorSpec(s.trim()));
  const rows: Scored[] = [];
  const timings: Record<string, { p50: number; p95: number; mean: number }> = {};
  const curves: { label: string; points: { x: number; y: number }[] }[] = [];
  const lowest = Math.min(...thresholds, ...SWEEP);
  for (const spec of specs) {
    const detector: BoxDetector = await createBoxDetector({
      name: spec.name,
      modelPath: path.join(config.models.dir, spec.file),
      inputSize: spec.inputSize,
      iouThreshold: spec.iouThreshold,
      threads: config.models.threadsPerWorker,
      fill: spec.fill,
    });
    const perImage: { faces: ScoredBox[]; truth: (typeof images)[number]['boxes'] }[] = [];
    const ms: number[] = [];
    const tick = progress(spec.name, images.length);
    try {
      for (const [i, image] of decoded.entries()) {
        const raw = await detector.infer(image);
        // Timed: the production post-processing at the service's default threshold.
        const t0 = process.hrtime.bigint();
        detector.decode(raw, config.models.minScore, minFaceSize);
        ms.push(raw.ms + msSince(t0));
        // Scored: everything above the lowest threshold; higher thresholds filter this list
        // (greedy NMS keeps the same boxes above t whether it ran from t or from lower).
        perImage.push({ faces: detector.decode(raw, lowest, minFaceSize), truth: images[i]!.boxes });
        tick(i + 1);
      }
    } finally {
      await detector.close();
    }
    const t = summarize(ms);
    timings[spec.name] = { p50: round(t.p50, 1), p95: round(t.p95, 1), mean: round(t.mean, 1) };
    for (const threshold of thresholds) rows.push(score(spec.name, spec.inputSize, threshold, perImage));
    const sweep = SWEEP.map((threshold) => score(spec.name, spec.inputSize, threshold, perImage));
    curves.push({
      label: `${spec.name}${spec.production ? ' (production)' : ''}`,
      points: sweep.map((s) => ({ x: s.recallLarge, y: s.precision })),
    });
  }

  const svgFile = args.flag('no-svg') ? undefined : path.resolve(args.string('svg'));
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
    `Detection, WIDER FACE val subset (${images.length} images, ${gtCount} faces, ${gtLarge} ≥ ${LARGE_FACE} px), IoU ≥ 0.5, greedy matching, min face ${minFaceSize} px, ≤ ${MAX_FACES} faces/image`,
    [
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
    ],
    rows.map((r) => [
      r.detector,
      r.minScore,
      r.recallLarge,
      r.recallLargeIou03,
      r.recallAll,
      r.precision,
      r.precisionLarge,
      r.detections,
      timings[r.detector]!.p50,
      timings[r.detector]!.p95,
    ]),
  );
  printJson({
    benchmark: 'detection',
    dir,
    images: images.length,
    groundTruth: { all: gtCount, large: gtLarge, largeMinHeight: LARGE_FACE },
    minFaceSize,
    maxFacesPerImage: MAX_FACES,
    threads: config.models.threadsPerWorker,
    machine: machineInfo(),
    msPerImage: timings,
    results: rows,
    sweep: curves,
    svg: svgFile ? path.relative(process.cwd(), svgFile) : null,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
