import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../src/config/app-config.js';
import type { ProfileModels } from '../src/face/face.ports.js';
import type { FacePipeline } from '../src/pipeline/create-face-pipeline.js';
import { parseOptions } from './lib/args.js';
import { ChipVectors, type FlipVectors, maxAbsDiff } from './lib/chip-vectors.js';
import { limitPairs, type LfwPair, parsePairs } from './lib/lfw-pairs.js';
import { centreFace } from './lib/lfw-people.js';
import { describeLoad } from './lib/proc-stats.js';
import { info, machineInfo, peakRssMiB, printJson, printTable, progress } from './lib/report.js';
import { benchConfig, describeProfile, loadProfile, selectProfiles, startPipeline } from './lib/setup.js';
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
 * LFW View 1 verification benchmark, per model profile: every image of pairsDevTrain/pairsDevTest
 * is decoded by the production intake and searched by the profile's production detector; the face
 * nearest the image centre is cut into the profile's chip by its embedder, and the chip and its
 * mirror image are embedded in one run. That gives each image two vectors — the chip alone and
 * the mirrored pair averaged, as `OnnxFaceEmbedder` averages them when a profile has `flip` — so
 * one pass scores three ways of using test-time flipping:
 *
 * - `none`:  neither side of a pair mirror-averaged;
 * - `both`:  both sides mirror-averaged (what a profile with `flip: true` does everywhere);
 * - `probe`: only the probe side (the second image of each pair) mirror-averaged, the enrolled
 *            side (the first image) not — a gallery stored without flipping, probes flipped.
 *
 * Each variant gets its own threshold, calibrated on DevTrain (accuracy-maximising) and applied to
 * DevTest. `--flip` picks the variant of the headline table, the histogram and --save-distances
 * (default `profile`: `both` for a profile with flip on, `none` otherwise). A parity check
 * compares the profile's own variant with `FaceEmbedder.embed` on the first images.
 *
 *   npm run bench:lfw -- [--profile mobilefacenet|dlib|mobilefacenet,dlib|all] [--flip profile|none|both|probe]
 *                        [--dir ../shared/lfw-dev] [--limit 200] [--concurrency 2] [--min-score 0.7]
 *                        [--svg docs/img/lfw-distances-{profile}.svg | --no-svg]
 *                        [--save-distances bench/results/lfw-distances-{profile}.json]
 */

const args = parseOptions({
  dir: { type: 'string', default: '../shared/lfw-dev' },
  profile: { type: 'string' },
  flip: { type: 'string', default: 'profile' },
  limit: { type: 'string' },
  concurrency: { type: 'string', default: '2' },
  svg: { type: 'string', default: 'docs/img/lfw-distances-{profile}.svg' },
  'no-svg': { type: 'boolean', default: false },
  'min-score': { type: 'string' },
  'save-distances': { type: 'string' },
  'parity-images': { type: 'string', default: '8' },
});

const FARS = [0.001, 0.01];
const VARIANTS = ['none', 'both', 'probe'] as const;
type Variant = (typeof VARIANTS)[number];

interface ImageResult {
  faces: number;
  /** Vectors of the face nearest the image centre; undefined when no face was found. */
  vectors?: FlipVectors;
  /** decode + detect + chip + embedder run (chip and mirror). */
  ms: number;
  detectMs: number;
  embedMs: number;
}

/** The pair's distance under a flip variant; NaN when a face was missed. */
function pairDistance(variant: Variant, a: FlipVectors | undefined, b: FlipVectors | undefined): number {
  if (!a || !b) return Number.NaN;
  if (variant === 'none') return cosineDistance(a.plain, b.plain);
  if (variant === 'both') return cosineDistance(a.flipped, b.flipped);
  // `a` is the enrolled side, `b` the probe.
  return cosineDistance(a.plain, b.flipped);
}

function scorePairs(
  pairs: readonly LfwPair[],
  results: Map<string, ImageResult>,
  variant: Variant,
): ScoredPair[] {
  return pairs.map((p) => ({
    same: p.same,
    distance: pairDistance(variant, results.get(p.a)?.vectors, results.get(p.b)?.vectors),
  }));
}

function evaluate(pairs: ScoredPair[]) {
  const valid = pairs.filter((p) => !Number.isNaN(p.distance));
  const mean = (same: boolean) => {
    const d = valid.filter((p) => p.same === same).map((p) => p.distance);
    return d.length > 0 ? d.reduce((a, b) => a + b, 0) / d.length : Number.NaN;
  };
  return {
    pairs: pairs.length,
    failedPairs: pairs.length - valid.length,
    /** Accuracy over the pairs where both faces were found. */
    validAccuracy: (t: number) => accuracyAt(valid, t),
    best: bestThreshold(pairs),
    auc: rocAuc(pairs),
    eer: equalErrorRate(pairs),
    tar: FARS.map((far) => tarAtFar(pairs, far)),
    meanSame: mean(true),
    meanDifferent: mean(false),
  };
}
type Evaluation = ReturnType<typeof evaluate>;

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

const tarJson = (e: Evaluation) =>
  e.tar.map((t) => ({
    far: t.far,
    allowedFalseAccepts: t.allowedFalseAccepts,
    threshold: round(t.threshold, 4),
    tar: pct(t.tar, 1),
  }));

/** One variant: calibrated on DevTrain, scored on DevTest. */
function scoreVariant(
  train: LfwPair[],
  test: LfwPair[],
  results: Map<string, ImageResult>,
  variant: Variant,
) {
  const trainScores = scorePairs(train, results, variant);
  const testScores = scorePairs(test, results, variant);
  const trainEval = evaluate(trainScores);
  const testEval = evaluate(testScores);
  const threshold = trainEval.best.threshold;
  return { variant, trainScores, testScores, trainEval, testEval, threshold };
}
type VariantScore = ReturnType<typeof scoreVariant>;

/** DevTest distances of both classes, with the calibrated threshold marked. */
function writeHistogram(file: string, scores: ScoredPair[], threshold: number, label: string): void {
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
          `LFW DevTest, ${label}, ${valid.length} pairs with both faces found: ` +
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

/** `{profile}` in a path is replaced by the profile's name; several profiles need it (or get a suffix). */
function perProfilePath(template: string, profile: string, several: boolean): string {
  if (template.includes('{profile}')) return path.resolve(template.replaceAll('{profile}', profile));
  if (!several) return path.resolve(template);
  const ext = path.extname(template);
  return path.resolve(`${template.slice(0, template.length - ext.length)}-${profile}${ext}`);
}

/** Detects and embeds every image with one profile. */
async function embedImages(
  pipeline: FacePipeline,
  models: ProfileModels,
  config: AppConfig,
  dir: string,
  images: string[],
) {
  const vectors = new ChipVectors(pipeline.runtime.pool, models, config.models.dir);
  const parityImages = Number(args.string('parity-images'));
  const parity: number[] = [];
  let parityStarted = 0;
  const results = new Map<string, ImageResult>();
  const tick = progress(`lfw ${models.profile.name}`, images.length);
  let done = 0;
  const started = process.hrtime.bigint();
  await forEachConcurrent(images, Number(args.string('concurrency')), async (file) => {
    const t0 = process.hrtime.bigint();
    const image = await pipeline.intake.decode(await readFile(path.join(dir, file)));
    const faces = await models.detector.detect(image);
    const detectMs = msSince(t0);
    const face = centreFace(faces, image.width, image.height);
    const t1 = process.hrtime.bigint();
    const v = face ? await vectors.forFace(image, face) : undefined;
    const embedMs = msSince(t1);
    results.set(file, { faces: faces.length, vectors: v, ms: msSince(t0), detectMs, embedMs });
    if (face && v && parityStarted < parityImages) {
      // The production embedder on the same face must give the profile's own variant.
      parityStarted++;
      const [production] = await models.embedder.embed(image, [face]);
      parity.push(maxAbsDiff(production!, models.profile.flip ? v.flipped : v.plain));
    }
    tick(++done);
  });
  return { results, parity, wallSeconds: msSince(started) / 1000 };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const load = describeLoad(machine.cpus);
  info(load.text);
  const dir = path.resolve(args.string('dir'));
  const limit = args.optionalInt('limit');
  const flipOption = args.string('flip');
  if (![...VARIANTS, 'profile'].includes(flipOption)) {
    throw new Error(`--flip must be profile, none, both or probe (got ${flipOption})`);
  }
  const train = limitPairs(parsePairs(path.join(dir, 'pairsDevTrain.txt')), limit);
  const test = limitPairs(parsePairs(path.join(dir, 'pairsDevTest.txt')), limit);
  const images = [...new Set([...train, ...test].flatMap((p) => [p.a, p.b]))].sort();
  const minScore = args.optionalString('min-score');
  const config = benchConfig(minScore ? { DETECTION_MIN_SCORE: minScore } : {});
  const profiles = await selectProfiles(config, args.optionalString('profile'));
  const several = profiles.length > 1;
  info(
    `LFW View 1 in ${dir}: ${train.length} DevTrain + ${test.length} DevTest pairs, ${images.length} images; ` +
      `profiles ${profiles.map((p) => p.name).join(', ')}`,
  );

  const pipeline = await startPipeline(config, profiles[0]!.name);
  const reports: object[] = [];
  const detectionRows: (string | number)[][] = [];
  try {
    for (const profile of profiles) {
      const models = await loadProfile(pipeline, profile.name, config);
      const { results, parity, wallSeconds } = await embedImages(pipeline, models, config, dir, images);
      const headline: Variant =
        flipOption === 'profile' ? (profile.flip ? 'both' : 'none') : (flipOption as Variant);
      const profileVariant: Variant = profile.flip ? 'both' : 'none';
      const scored = new Map<Variant, VariantScore>(
        VARIANTS.map((v) => [v, scoreVariant(train, test, results, v)]),
      );
      const { trainEval, testEval, threshold, trainScores, testScores } = scored.get(headline)!;
      const rounded = round(threshold, 3);
      // View 1 is a 1:1 protocol: the profile's verification threshold applies.
      const profileThreshold = profile.matching.verifyThreshold ?? profile.matching.threshold;
      const noFace = [...results].filter(([, r]) => r.faces === 0).map(([f]) => f);
      const multiFace = [...results].filter(([, r]) => r.faces > 1).length;
      if (noFace.length > 0) info(`${profile.name}: no face found in ${noFace.join(', ')}`);
      const latency = summarize([...results.values()].map((r) => r.ms));
      const detectMs = summarize([...results.values()].map((r) => r.detectMs));
      const embedMs = summarize([...results.values()].filter((r) => r.vectors).map((r) => r.embedMs));
      const label = `${profile.name} (${models.embedder.space.key}), flip ${headline}`;

      if (!args.flag('no-svg')) {
        writeHistogram(
          perProfilePath(args.string('svg'), profile.name, several),
          testScores,
          threshold,
          label,
        );
      }
      const distancesFile = args.optionalString('save-distances');
      if (distancesFile) {
        // Per-pair distances of every variant (null: a face was not found), to re-plot or
        // re-threshold without re-running.
        const dump = (pairs: LfwPair[], scores: ScoredPair[]) =>
          pairs.map((p, i) => ({
            ...p,
            distance: Number.isNaN(scores[i]!.distance) ? null : scores[i]!.distance,
          }));
        const file = perProfilePath(distancesFile, profile.name, several);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(
          file,
          JSON.stringify({
            profile: profile.name,
            space: models.embedder.space.key,
            flip: headline,
            devTrain: dump(train, trainScores),
            devTest: dump(test, testScores),
            variants: Object.fromEntries(
              [...scored].map(([v, s]) => [
                v,
                { devTrain: dump(train, s.trainScores), devTest: dump(test, s.testScores) },
              ]),
            ),
          }),
        );
        info(`saved pair distances to ${path.relative(process.cwd(), file)}`);
      }

      const row = (name: string, e: Evaluation, accuracy: number, t: number): (string | number)[] => [
        name,
        e.pairs,
        e.failedPairs,
        pct(accuracy, 1),
        round(t, 4),
        round(e.auc, 5),
        pct(e.eer.eer, 1),
        pct(e.tar[0]!.tar, 1),
        pct(e.tar[1]!.tar, 1),
      ];
      const blank = (name: string, pairs: number, failed: number, accuracy: number, t: number) => [
        name,
        pairs,
        failed,
        pct(accuracy, 1),
        round(t, 4),
        '',
        '',
        '',
        '',
      ];
      printTable(
        `LFW View 1 — ${label} (cosine distance, face nearest the image centre)`,
        [
          'set',
          'pairs',
          'failed pairs',
          'accuracy %',
          'threshold',
          'AUC',
          'EER %',
          'TAR@FAR0.1 %',
          'TAR@FAR1 %',
        ],
        [
          row('DevTrain (best threshold)', trainEval, trainEval.best.accuracy, threshold),
          row('DevTest @ DevTrain threshold', testEval, accuracyAt(testScores, threshold), threshold),
          blank(
            'DevTest @ rounded threshold',
            testEval.pairs,
            testEval.failedPairs,
            accuracyAt(testScores, rounded),
            rounded,
          ),
          blank(
            'DevTest, pairs with both faces found',
            testEval.pairs - testEval.failedPairs,
            0,
            testEval.validAccuracy(threshold),
            threshold,
          ),
          blank(
            `DevTest @ profile 1:1 threshold (${headline === profileVariant ? 'calibrated for this variant' : 'for flip ' + profileVariant})`,
            testEval.pairs,
            testEval.failedPairs,
            accuracyAt(testScores, profileThreshold),
            profileThreshold,
          ),
          blank(
            'DevTest (best possible, reference)',
            testEval.pairs,
            testEval.failedPairs,
            testEval.best.accuracy,
            testEval.best.threshold,
          ),
        ],
      );
      printTable(
        `Flip averaging, ${profile.name}: each variant calibrated on DevTrain, scored on DevTest ` +
          `(probe = second image of a pair mirror-averaged, first image not)`,
        [
          'flip',
          'DevTrain acc %',
          'threshold',
          'DevTest acc %',
          'DevTest AUC',
          'EER %',
          'TAR@FAR0.1 %',
          'TAR@FAR1 %',
          'mean d same',
          'mean d diff',
        ],
        [...scored.values()].map((s) => [
          `${s.variant}${s.variant === profileVariant ? ' (profile)' : ''}`,
          pct(s.trainEval.best.accuracy, 1),
          round(s.threshold, 4),
          pct(accuracyAt(s.testScores, s.threshold), 1),
          round(s.testEval.auc, 5),
          pct(s.testEval.eer.eer, 1),
          pct(s.testEval.tar[0]!.tar, 1),
          pct(s.testEval.tar[1]!.tar, 1),
          round(s.testEval.meanSame, 4),
          round(s.testEval.meanDifferent, 4),
        ]),
      );
      const maxParity = parity.length > 0 ? Math.max(...parity) : Number.NaN;
      detectionRows.push([
        profile.name,
        images.length,
        noFace.length,
        multiFace,
        round(latency.p50, 1),
        round(latency.p95, 1),
        round(detectMs.p50, 1),
        round(embedMs.p50, 1),
        round(images.length / wallSeconds, 2),
        maxParity,
      ]);

      reports.push({
        profile: describeProfile(models, config),
        flip: headline,
        images: { total: images.length, noFace: noFace.length, multiFace, noFaceFiles: noFace },
        threshold: {
          raw: round(threshold, 5),
          rounded,
          plateau: trainEval.best.plateau.map((t) => round(t, 5)),
          profile: profileThreshold,
        },
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
          accuracyAtTrainThreshold: pct(accuracyAt(testScores, threshold), 1),
          accuracyAtRoundedThreshold: pct(accuracyAt(testScores, rounded), 1),
          accuracyAtProfileThreshold: pct(accuracyAt(testScores, profileThreshold), 1),
          accuracyBothFacesFound: pct(testEval.validAccuracy(threshold), 1),
          farAtTrainThreshold: pct(falseAcceptRate(testScores, threshold), 1),
          frrAtTrainThreshold: pct(falseRejectRate(testScores, threshold), 1),
          bestAccuracy: pct(testEval.best.accuracy, 1),
          bestThreshold: round(testEval.best.threshold, 4),
          auc: round(testEval.auc, 5),
          eer: pct(testEval.eer.eer, 1),
          tarAtFar: tarJson(testEval),
        },
        variants: Object.fromEntries(
          [...scored].map(([v, s]) => [
            v,
            {
              devTrainAccuracy: pct(s.trainEval.best.accuracy, 1),
              threshold: round(s.threshold, 5),
              devTestAccuracy: pct(accuracyAt(s.testScores, s.threshold), 1),
              devTestAuc: round(s.testEval.auc, 5),
              devTestEer: pct(s.testEval.eer.eer, 1),
              devTestTarAtFar: tarJson(s.testEval),
              devTrainTarAtFar: tarJson(s.trainEval),
              meanDistance: {
                same: round(s.testEval.meanSame, 4),
                different: round(s.testEval.meanDifferent, 4),
              },
            },
          ]),
        ),
        productionParity: { images: parity.length, maxAbsDiff: maxParity },
        timing: {
          msPerImage: { p50: round(latency.p50, 1), p95: round(latency.p95, 1) },
          decodeDetectMs: { p50: round(detectMs.p50, 1), p95: round(detectMs.p95, 1) },
          chipAndEmbedMs: { p50: round(embedMs.p50, 1), p95: round(embedMs.p95, 1) },
          imagesPerSecond: round(images.length / wallSeconds, 2),
          wallSeconds: round(wallSeconds, 1),
        },
      });
    }
  } finally {
    await pipeline.close();
  }

  printTable(
    `Detection and timing on the LFW images (${config.models.workers} worker × ${config.models.threadsPerWorker} threads, ` +
      `${args.string('concurrency')} images in flight; embed = chip + mirrored chip in one run)`,
    [
      'profile',
      'images',
      'no face',
      '>1 face',
      'ms/image p50',
      'ms/image p95',
      'decode+detect p50',
      'chip+embed p50',
      'images/s',
      'parity max |Δ|',
    ],
    detectionRows,
  );
  process.stdout.write(`\nPeak RSS: ${peakRssMiB()} MiB; ${load.text}\n`);
  printJson({
    benchmark: 'lfw',
    dir,
    limit: limit ?? null,
    machine,
    loadHigh: load.high,
    config: {
      workers: config.models.workers,
      threads: config.models.threadsPerWorker,
      concurrency: Number(args.string('concurrency')),
      minScoreOverride: config.models.minScore ?? null,
    },
    profiles: reports,
    peakRssMiB: peakRssMiB(),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
