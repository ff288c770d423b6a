import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DecodedImage, DetectedFace, EmbeddedFace } from '../src/face/face.types.js';
import type { FacePipeline } from '../src/embedding/create-face-pipeline.js';
import { ALIGNMENT_VARIANTS, averageUnit, cutChip, mirror } from './lib/alignment-variants.js';
import { parseOptions } from './lib/args.js';
import { limitPairs, type LfwPair, parsePairs } from './lib/lfw-pairs.js';
import { info, machineInfo, peakRssMiB, printJson, printTable, progress } from './lib/report.js';
import { benchConfig, startPipeline } from './lib/setup.js';
import { forEachConcurrent, msSince, pct, round, summarize } from './lib/stats.js';
import { histogramSvg, writeSvg } from './lib/svg.js';
import {
  accuracyAt,
  bestThreshold,
  cosineDistance,
  equalErrorRate,
  rocAuc,
  type ScoredPair,
  tarAtFar,
} from './lib/verification.js';

/**
 * LFW View 1 verification benchmark: embeds every image of pairsDevTrain/pairsDevTest once with
 * the production pipeline, calibrates the cosine-distance threshold on DevTrain and reports it
 * on DevTest. `--experiments` also scores alternative chip alignments on DevTrain.
 *
 *   npm run bench:lfw -- [--dir ../shared/lfw-dev] [--limit 200] [--experiments]
 */

const args = parseOptions({
  dir: { type: 'string', default: '../shared/lfw-dev' },
  limit: { type: 'string' },
  concurrency: { type: 'string', default: '2' },
  svg: { type: 'string', default: 'docs/img/lfw-distances.svg' },
  'no-svg': { type: 'boolean', default: false },
  experiments: { type: 'boolean', default: false },
  'min-score': { type: 'string' },
  'retry-pad': { type: 'string', default: '0' },
  'save-faces': { type: 'string' },
  faces: { type: 'string' },
  'save-distances': { type: 'string' },
});

const FARS = [0.001, 0.01];

interface ImageResult {
  faces: number;
  /** The production embedding of the face nearest the image centre; undefined when none was found. */
  embedding?: Float32Array;
  /** Where production found no face: the embedding found on the image padded with black borders. */
  retryEmbedding?: Float32Array;
  ms: number;
}

/**
 * The image centred on a black canvas, `fraction` × its longer side wider on every edge. face-api's
 * SSD misses faces that fill much of the frame (LFW's 250×250 crops); with a border they
 * become the size it was trained on.
 */
function padImage(image: DecodedImage, fraction: number): DecodedImage {
  const pad = Math.round(fraction * Math.max(image.width, image.height));
  const width = image.width + 2 * pad;
  const height = image.height + 2 * pad;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < image.height; y++) {
    const src = image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3);
    data.set(src, ((y + pad) * width + pad) * 3);
  }
  return { ...image, data, width, height };
}

/** LFW centres the named person, so the detected face whose box centre is nearest the image centre. */
function centreFace<T extends EmbeddedFace>(
  faces: readonly T[],
  width: number,
  height: number,
): T | undefined {
  let best: T | undefined;
  let bestDistance = Infinity;
  for (const face of faces) {
    const dx = face.box.x + face.box.width / 2 - width / 2;
    const dy = face.box.y + face.box.height / 2 - height / 2;
    const d = dx * dx + dy * dy;
    if (d < bestDistance) {
      bestDistance = d;
      best = face;
    }
  }
  return best;
}

function scorePairs(
  pairs: readonly LfwPair[],
  embeddings: Map<string, Float32Array | undefined>,
): ScoredPair[] {
  return pairs.map((p) => {
    const a = embeddings.get(p.a);
    const b = embeddings.get(p.b);
    return { same: p.same, distance: a && b ? cosineDistance(a, b) : Number.NaN };
  });
}

/** DevTest distances of both classes, with the calibrated threshold marked. */
function writeHistogram(file: string, scores: ScoredPair[], threshold: number): void {
  const finite = (same: boolean) =>
    scores.filter((p) => p.same === same && Number.isFinite(p.distance)).map((p) => p.distance);
  const valid = scores.filter((p) => Number.isFinite(p.distance));
  const upper = Math.ceil(Math.max(...finite(false), ...finite(true)) * 20) / 20;
  writeSvg(
    file,
    histogramSvg(
      [
        { label: 'same person', values: finite(true), color: '#2ca02c' },
        { label: 'different people', values: finite(false), color: '#d62728' },
      ],
      {
        title:
          `LFW DevTest, ${valid.length} pairs with both faces found: ` +
          `${pct(accuracyAt(valid, threshold), 1)} % correct at ${round(threshold, 3)}`,
        xLabel: 'cosine distance between the two faces of a pair',
        bins: 80,
        range: [0, upper],
        markers: [{ x: threshold, label: `DevTrain threshold ${round(threshold, 3)}` }],
      },
    ),
  );
  info(`wrote ${path.relative(process.cwd(), file)}`);
}

/** Share of different-person pairs accepted (distance below the threshold). */
function falseAcceptRate(pairs: readonly ScoredPair[], threshold: number): number {
  const impostors = pairs.filter((p) => !p.same);
  return impostors.filter((p) => p.distance < threshold).length / impostors.length;
}

/** Share of same-person pairs rejected, a missed face included. */
function falseRejectRate(pairs: readonly ScoredPair[], threshold: number): number {
  const genuine = pairs.filter((p) => p.same);
  return genuine.filter((p) => !(p.distance < threshold)).length / genuine.length;
}

function evaluate(pairs: ScoredPair[]) {
  return {
    pairs: pairs.length,
    failedPairs: pairs.filter((p) => Number.isNaN(p.distance)).length,
    /** Accuracy over the pairs where both faces were found, at the best threshold of `pairs`. */
    validAccuracy: (t: number) =>
      accuracyAt(
        pairs.filter((p) => !Number.isNaN(p.distance)),
        t,
      ),
    best: bestThreshold(pairs),
    auc: rocAuc(pairs),
    eer: equalErrorRate(pairs),
    tar: FARS.map((far) => tarAtFar(pairs, far)),
  };
}

async function variantEmbeddings(pipeline: FacePipeline, image: DecodedImage, face: DetectedFace) {
  const chips = ALIGNMENT_VARIANTS.flatMap((v) => {
    const chip = cutChip(image, face, v, pipeline.embedder.chipSize);
    return v.flip ? [chip, mirror(chip)] : [chip];
  });
  const vectors = await pipeline.embedder.embed(chips);
  const out = new Map<string, Float32Array>();
  let i = 0;
  for (const v of ALIGNMENT_VARIANTS) {
    out.set(v.name, v.flip ? averageUnit(vectors[i]!, vectors[i + 1]!) : vectors[i]!);
    i += v.flip ? 2 : 1;
  }
  return out;
}

function experimentTable(train: LfwPair[], variants: Map<string, Map<string, Float32Array | undefined>>) {
  const rows = ALIGNMENT_VARIANTS.map((v) => {
    const e = evaluate(scorePairs(train, variants.get(v.name)!));
    return {
      variant: v.name,
      description: v.description,
      failedPairs: e.failedPairs,
      trainAccuracy: pct(e.best.accuracy, 1),
      threshold: round(e.best.threshold, 4),
      auc: round(e.auc, 5),
      eer: pct(e.eer.eer, 1),
      tarAtFar01: pct(e.tar[0]!.tar, 1),
      tarAtFar1: pct(e.tar[1]!.tar, 1),
    };
  });
  printTable(
    'Alignment experiments (DevTrain only, best threshold per variant)',
    ['variant', 'failed pairs', 'accuracy %', 'threshold', 'AUC', 'EER %', 'TAR@FAR0.1 %', 'TAR@FAR1 %'],
    rows.map((r) => [
      r.variant,
      r.failedPairs,
      r.trainAccuracy,
      r.threshold,
      r.auc,
      r.eer,
      r.tarAtFar01,
      r.tarAtFar1,
    ]),
  );
  return rows;
}

/**
 * `--experiments --faces <file>`: the alignment variants on DevTrain, from the faces a previous
 * `--save-faces` run detected, so the detector does not run again (only decode, warp, embed).
 */
async function experimentsFromSavedFaces(
  dir: string,
  train: LfwPair[],
  test: LfwPair[],
  facesFile: string,
): Promise<void> {
  const saved = JSON.parse(readFileSync(facesFile, 'utf8')) as Record<string, DetectedFace>;
  const trainImages = new Set(train.flatMap((p) => [p.a, p.b]));
  const images = [...new Set([...trainImages, ...test.flatMap((p) => [p.a, p.b])])].sort();
  info(
    `alignment experiments: ${trainImages.size} DevTrain images (+ DevTest for production), faces from ${facesFile}`,
  );
  const config = benchConfig();
  const pipeline = await startPipeline(config);
  const variants = new Map<string, Map<string, Float32Array | undefined>>(
    ALIGNMENT_VARIANTS.map((v) => [v.name, new Map()]),
  );
  const production = ALIGNMENT_VARIANTS[0]!;
  const tick = progress('lfw-experiments', images.length);
  let done = 0;
  try {
    await forEachConcurrent(images, Number(args.string('concurrency')), async (file) => {
      const face = saved[file];
      const image = face ? await pipeline.intake.decode(await readFile(path.join(dir, file))) : undefined;
      if (trainImages.has(file)) {
        const vectors = face && image ? await variantEmbeddings(pipeline, image, face) : undefined;
        for (const v of ALIGNMENT_VARIANTS) variants.get(v.name)!.set(file, vectors?.get(v.name));
      } else {
        const chip = face && image ? cutChip(image, face, production, pipeline.embedder.chipSize) : undefined;
        variants
          .get(production.name)!
          .set(file, chip ? (await pipeline.embedder.embed([chip]))[0] : undefined);
      }
      tick(++done);
    });
  } finally {
    await pipeline.close();
  }
  const rows = experimentTable(train, variants);
  // The production variant re-cut from the saved landmarks must reproduce the main run's figures.
  const trainScores = scorePairs(train, variants.get(production.name)!);
  const testScores = scorePairs(test, variants.get(production.name)!);
  const threshold = bestThreshold(trainScores).threshold;
  const check = {
    threshold: round(threshold, 5),
    devTestAccuracy: pct(accuracyAt(testScores, threshold), 1),
    devTestFailedPairs: testScores.filter((p) => Number.isNaN(p.distance)).length,
  };
  info(`production alignment from saved faces: ${JSON.stringify(check)}`);
  if (!args.flag('no-svg')) writeHistogram(path.resolve(args.string('svg')), testScores, threshold);
  printJson({
    benchmark: 'lfw-alignment-experiments',
    dir,
    pairs: train.length,
    machine: machineInfo(),
    productionCheck: check,
    experiments: rows,
  });
}

async function main(): Promise<void> {
  const dir = path.resolve(args.string('dir'));
  const limit = args.optionalInt('limit');
  const train = limitPairs(parsePairs(path.join(dir, 'pairsDevTrain.txt')), limit);
  const test = limitPairs(parsePairs(path.join(dir, 'pairsDevTest.txt')), limit);
  const images = [...new Set([...train, ...test].flatMap((p) => [p.a, p.b]))].sort();
  const trainImages = new Set(train.flatMap((p) => [p.a, p.b]));
  const facesFile = args.optionalString('faces');
  if (facesFile) {
    if (!args.flag('experiments')) throw new Error('--faces is only used with --experiments');
    await experimentsFromSavedFaces(dir, train, test, facesFile);
    return;
  }
  info(
    `LFW View 1 in ${dir}: ${train.length} DevTrain + ${test.length} DevTest pairs, ${images.length} images`,
  );

  const minScore = args.optionalString('min-score');
  const config = benchConfig(minScore ? { DETECTION_MIN_SCORE: minScore } : {});
  const pipeline = await startPipeline(config);
  const experiments = args.flag('experiments');
  const retryPad = args.number('retry-pad');
  const saveFaces = args.optionalString('save-faces');
  const saved: Record<string, DetectedFace> = {};

  const results = new Map<string, ImageResult>();
  const variants = new Map<string, Map<string, Float32Array | undefined>>(
    ALIGNMENT_VARIANTS.map((v) => [v.name, new Map()]),
  );
  const tick = progress('lfw', images.length);
  let done = 0;
  const started = process.hrtime.bigint();
  try {
    await forEachConcurrent(images, Number(args.string('concurrency')), async (file) => {
      const t0 = process.hrtime.bigint();
      const image = await pipeline.intake.decode(await readFile(path.join(dir, file)));
      const { faces } = await pipeline.analysis.analyzeDecoded(image);
      const face = centreFace(faces, image.width, image.height);
      const ms = msSince(t0);
      let retryEmbedding: Float32Array | undefined;
      if (!face && retryPad > 0) {
        const padded = padImage(image, retryPad);
        const retry = await pipeline.analysis.analyzeDecoded(padded);
        retryEmbedding = centreFace(retry.faces, padded.width, padded.height)?.embedding;
      }
      results.set(file, { faces: faces.length, embedding: face?.embedding, retryEmbedding, ms });
      if (face && saveFaces) {
        const { box, score, landmarks68, landmarks5 } = face;
        saved[file] = { box, score, landmarks68, landmarks5 };
      }
      if (experiments && trainImages.has(file)) {
        const vectors = face ? await variantEmbeddings(pipeline, image, face) : undefined;
        for (const v of ALIGNMENT_VARIANTS) variants.get(v.name)!.set(file, vectors?.get(v.name));
      }
      tick(++done);
    });
  } finally {
    await pipeline.close();
  }
  const wallSeconds = msSince(started) / 1000;
  if (saveFaces) {
    mkdirSync(path.dirname(path.resolve(saveFaces)), { recursive: true });
    writeFileSync(saveFaces, JSON.stringify(saved));
    info(`saved ${Object.keys(saved).length} detected faces to ${saveFaces}`);
  }

  const embeddings = new Map([...results].map(([file, r]) => [file, r.embedding]));
  const noFace = [...results].filter(([, r]) => r.faces === 0).map(([f]) => f);
  const multiFace = [...results].filter(([, r]) => r.faces > 1).length;
  if (noFace.length > 0) info(`no face found in: ${noFace.join(', ')}`);

  const trainScores = scorePairs(train, embeddings);
  const testScores = scorePairs(test, embeddings);
  const trainEval = evaluate(trainScores);
  const testEval = evaluate(testScores);
  const threshold = trainEval.best.threshold;
  const rounded = round(threshold, 3);
  const testAccuracy = accuracyAt(testScores, threshold);
  const testAccuracyRounded = accuracyAt(testScores, rounded);
  const latency = summarize([...results.values()].map((r) => r.ms));

  // The same evaluation with the padded retry filling in production's misses (a possible fix).
  const retried = new Map([...results].map(([file, r]) => [file, r.embedding ?? r.retryEmbedding]));
  const stillNoFace = [...retried.values()].filter((e) => !e).length;
  const retryTrainScores = scorePairs(train, retried);
  const retryTestScores = scorePairs(test, retried);
  const retryTrain = evaluate(retryTrainScores);
  const retryTest = evaluate(retryTestScores);
  const retryTestAccuracy = accuracyAt(retryTestScores, retryTrain.best.threshold);

  const svgFile = args.flag('no-svg') ? undefined : path.resolve(args.string('svg'));
  if (svgFile) writeHistogram(svgFile, testScores, threshold);
  const distancesFile = args.optionalString('save-distances');
  if (distancesFile) {
    // Per-pair distances (null: a face was not found), to re-plot or re-threshold without re-running.
    const dump = (pairs: LfwPair[], scores: ScoredPair[]) =>
      pairs.map((p, i) => ({
        ...p,
        distance: Number.isNaN(scores[i]!.distance) ? null : scores[i]!.distance,
      }));
    mkdirSync(path.dirname(path.resolve(distancesFile)), { recursive: true });
    writeFileSync(
      distancesFile,
      JSON.stringify({ devTrain: dump(train, trainScores), devTest: dump(test, testScores) }),
    );
    info(`saved pair distances to ${distancesFile}`);
  }

  printTable(
    'LFW View 1 — verification (cosine distance, face nearest the image centre)',
    ['set', 'pairs', 'failed pairs', 'accuracy %', 'threshold', 'AUC', 'EER %', 'TAR@FAR0.1 %', 'TAR@FAR1 %'],
    [
      [
        'DevTrain (best threshold)',
        trainEval.pairs,
        trainEval.failedPairs,
        pct(trainEval.best.accuracy, 1),
        round(threshold, 4),
        round(trainEval.auc, 5),
        pct(trainEval.eer.eer, 1),
        pct(trainEval.tar[0]!.tar, 1),
        pct(trainEval.tar[1]!.tar, 1),
      ],
      [
        'DevTest @ DevTrain threshold',
        testEval.pairs,
        testEval.failedPairs,
        pct(testAccuracy, 1),
        round(threshold, 4),
        round(testEval.auc, 5),
        pct(testEval.eer.eer, 1),
        pct(testEval.tar[0]!.tar, 1),
        pct(testEval.tar[1]!.tar, 1),
      ],
      [
        'DevTest @ rounded threshold',
        testEval.pairs,
        testEval.failedPairs,
        pct(testAccuracyRounded, 1),
        rounded,
        '',
        '',
        '',
        '',
      ],
      [
        'DevTest, pairs with both faces found',
        testEval.pairs - testEval.failedPairs,
        0,
        pct(testEval.validAccuracy(threshold), 1),
        round(threshold, 4),
        '',
        '',
        '',
        '',
      ],
      [
        'DevTest (best possible, reference)',
        testEval.pairs,
        testEval.failedPairs,
        pct(testEval.best.accuracy, 1),
        round(testEval.best.threshold, 4),
        '',
        '',
        '',
        '',
      ],
    ],
  );
  if (retryPad > 0) {
    printTable(
      `With a retry on the image padded by ${retryPad} × its side where production found no face`,
      ['set', 'failed pairs', 'accuracy %', 'threshold', 'AUC', 'TAR@FAR0.1 %', 'TAR@FAR1 %'],
      [
        [
          'DevTrain (best threshold)',
          retryTrain.failedPairs,
          pct(retryTrain.best.accuracy, 1),
          round(retryTrain.best.threshold, 4),
          round(retryTrain.auc, 5),
          pct(retryTrain.tar[0]!.tar, 1),
          pct(retryTrain.tar[1]!.tar, 1),
        ],
        [
          'DevTest @ that threshold',
          retryTest.failedPairs,
          pct(retryTestAccuracy, 1),
          round(retryTrain.best.threshold, 4),
          round(retryTest.auc, 5),
          pct(retryTest.tar[0]!.tar, 1),
          pct(retryTest.tar[1]!.tar, 1),
        ],
        [
          'DevTest @ production threshold',
          retryTest.failedPairs,
          pct(accuracyAt(retryTestScores, threshold), 1),
          round(threshold, 4),
          '',
          '',
          '',
        ],
      ],
    );
  }
  printTable(
    'Detection on the LFW images',
    [
      'images',
      'no face',
      'no face after retry',
      '>1 face',
      'ms/image p50',
      'ms/image p95',
      'images/s',
      'peak RSS MiB',
    ],
    [
      [
        images.length,
        noFace.length,
        retryPad > 0 ? stillNoFace : '',
        multiFace,
        round(latency.p50, 1),
        round(latency.p95, 1),
        round(images.length / wallSeconds, 2),
        peakRssMiB(),
      ],
    ],
  );

  const experimentResults = experiments ? experimentTable(train, variants) : undefined;

  const tarJson = (e: ReturnType<typeof evaluate>) =>
    e.tar.map((t) => ({
      far: t.far,
      allowedFalseAccepts: t.allowedFalseAccepts,
      threshold: round(t.threshold, 4),
      tar: pct(t.tar, 1),
    }));
  printJson({
    benchmark: 'lfw',
    dir,
    limit: limit ?? null,
    machine: machineInfo(),
    config: {
      workers: config.models.workers,
      threads: config.models.threadsPerWorker,
      minScore: config.models.minScore,
      minFaceSize: config.models.minFaceSize,
      modelId: pipeline.analysis.modelId,
    },
    images: {
      total: images.length,
      noFace: noFace.length,
      noFaceAfterRetry: retryPad > 0 ? stillNoFace : null,
      multiFace,
      noFaceFiles: noFace,
    },
    threshold: { raw: round(threshold, 5), rounded, plateau: trainEval.best.plateau.map((t) => round(t, 5)) },
    devTrain: {
      pairs: trainEval.pairs,
      failedPairs: trainEval.failedPairs,
      accuracy: pct(trainEval.best.accuracy, 1),
      accuracyBothFacesFound: pct(trainEval.validAccuracy(threshold), 1),
      farAtThreshold: pct(falseAcceptRate(trainScores, threshold), 1),
      frrAtThreshold: pct(falseRejectRate(trainScores, threshold), 1),
      auc: round(trainEval.auc, 5),
      eer: pct(trainEval.eer.eer, 1),
      tarAtFar: tarJson(trainEval),
    },
    devTest: {
      pairs: testEval.pairs,
      failedPairs: testEval.failedPairs,
      accuracyAtTrainThreshold: pct(testAccuracy, 1),
      accuracyAtRoundedThreshold: pct(testAccuracyRounded, 1),
      accuracyBothFacesFound: pct(testEval.validAccuracy(threshold), 1),
      farAtTrainThreshold: pct(falseAcceptRate(testScores, threshold), 1),
      frrAtTrainThreshold: pct(falseRejectRate(testScores, threshold), 1),
      bestAccuracy: pct(testEval.best.accuracy, 1),
      bestThreshold: round(testEval.best.threshold, 4),
      auc: round(testEval.auc, 5),
      eer: pct(testEval.eer.eer, 1),
      tarAtFar: tarJson(testEval),
    },
    withPaddedRetry:
      retryPad > 0
        ? {
            pad: retryPad,
            devTrain: {
              failedPairs: retryTrain.failedPairs,
              accuracy: pct(retryTrain.best.accuracy, 1),
              threshold: round(retryTrain.best.threshold, 5),
              auc: round(retryTrain.auc, 5),
              tarAtFar: tarJson(retryTrain),
            },
            devTest: {
              failedPairs: retryTest.failedPairs,
              accuracyAtTrainThreshold: pct(retryTestAccuracy, 1),
              accuracyAtProductionThreshold: pct(accuracyAt(retryTestScores, threshold), 1),
              bestAccuracy: pct(retryTest.best.accuracy, 1),
              auc: round(retryTest.auc, 5),
              tarAtFar: tarJson(retryTest),
            },
          }
        : null,
    timing: {
      msPerImage: { p50: round(latency.p50, 1), p95: round(latency.p95, 1) },
      imagesPerSecond: round(images.length / wallSeconds, 2),
      wallSeconds: round(wallSeconds, 1),
    },
    peakRssMiB: peakRssMiB(),
    experiments: experimentResults ?? null,
    svg: svgFile ? path.relative(process.cwd(), svgFile) : null,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
