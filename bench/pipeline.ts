import 'reflect-metadata';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { decodeSsdOutput, letterbox } from '../src/detection/detection-postprocess.js';
import { assessQuality } from '../src/detection/face-quality.js';
import { fitInSquare, landmarkCrop, mapLandmarks, reduceTo5 } from '../src/detection/landmark-geometry.js';
import { alignFace } from '../src/embedding/face-aligner.js';
import type { FacePipeline } from '../src/embedding/create-face-pipeline.js';
import { letterboxTensor, writeCropTensor } from '../src/infra/inference/image-tensors.js';
import {
  LANDMARK_INPUT_SIZE,
  output,
  RETRY_FILL,
  SSD_INPUT_SIZE,
} from '../src/infra/inference/onnx-face-detector.js';
import { parseOptions } from './lib/args.js';
import { info, machineInfo, peakRssMiB, printJson, printTable, progress } from './lib/report.js';
import { benchConfig, startPipeline } from './lib/setup.js';
import { msSince, round, summarize } from './lib/stats.js';

/**
 * Per-stage latency of the face pipeline on real photos. Stages are timed by calling the pieces
 * `FaceAnalysisService.analyze` is made of (intake, the SSD and landmark runs of
 * `OnnxFaceDetector`, `alignFace`, `FaceEmbedder.embed`) one after the other, one image at a
 * time; the public `analyze()` is timed separately on the same images as the end-to-end figure.
 *
 *   npm run bench:pipeline -- [--repeat 5] [--lfw ../shared/lfw-dev] [--lfw-sample 100]
 */

const args = parseOptions({
  repeat: { type: 'string', default: '5' },
  lfw: { type: 'string', default: '../shared/lfw-dev' },
  'lfw-sample': { type: 'string', default: '100' },
});

const STAGES = [
  'decode',
  'detect.prep',
  'detect.ssd',
  'detect.nms',
  'detect',
  'landmarks.prep',
  'landmarks.net',
  'landmarks',
  'align',
  'quality',
  'embed',
  'stages total',
  'analyze() end to end',
] as const;
type Stage = (typeof STAGES)[number];

interface Sample {
  set: string;
  name: string;
  bytes: Buffer;
}

function demoImages(): Sample[] {
  const dir = path.join(
    path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')),
    'demo',
  );
  return [1, 2, 3, 4, 5, 6].map((n) => ({
    set: 'demo',
    name: `sample${n}.jpg`,
    bytes: readFileSync(path.join(dir, `sample${n}.jpg`)),
  }));
}

/** Every k-th LFW person's first image, so the sample is spread across the alphabet. */
function lfwImages(dir: string, count: number): Sample[] {
  const images = path.join(dir, 'images');
  if (!existsSync(images) || count === 0) return [];
  const people = readdirSync(images).sort();
  const step = Math.max(1, Math.floor(people.length / count));
  const out: Sample[] = [];
  for (let i = 0; i < people.length && out.length < count; i += step) {
    const person = people[i]!;
    const file = readdirSync(path.join(images, person)).sort()[0];
    if (file) out.push({ set: 'lfw', name: file, bytes: readFileSync(path.join(images, person, file)) });
  }
  return out;
}

/** One pass through the stages, as `OnnxFaceDetector.detect` and `FaceAnalysisService` do them. */
async function timeStages(p: FacePipeline, bytes: Buffer, minScore: number, minFaceSize: number) {
  const t: Partial<Record<Stage, number>> = {};
  const mark = (stage: Stage, start: bigint) => {
    t[stage] = msSince(start);
  };
  const add = (stage: Stage, start: bigint) => {
    t[stage] = (t[stage] ?? 0) + msSince(start);
  };
  const all = process.hrtime.bigint();

  let s = process.hrtime.bigint();
  const image = await p.intake.decode(bytes);
  mark('decode', s);

  // First pass, and the production detector's zoomed-out retry when it finds nothing.
  let found: ReturnType<typeof decodeSsdOutput> = [];
  let retried = false;
  for (const fill of [1, RETRY_FILL]) {
    if (fill !== 1) {
      if (found.length > 0) break;
      retried = true;
    }
    s = process.hrtime.bigint();
    const geometry = letterbox(image.width, image.height, SSD_INPUT_SIZE, fill);
    const input = await letterboxTensor(image, geometry);
    add('detect.prep', s);
    s = process.hrtime.bigint();
    const ssd = await p.pool.run('detector', {
      input: { data: input, dims: [1, SSD_INPUT_SIZE, SSD_INPUT_SIZE, 3] },
    });
    add('detect.ssd', s);
    s = process.hrtime.bigint();
    found = decodeSsdOutput(output(ssd, 'boxes').data, output(ssd, 'scores').data, geometry, {
      minScore,
      minFaceSize,
      maxResults: 100,
    });
    add('detect.nms', s);
  }
  t.detect = t['detect.prep']! + t['detect.ssd']! + t['detect.nms']!;

  const faces = found.flatMap(({ box, score }) => {
    const crop = landmarkCrop(box, image.width, image.height);
    return crop ? [{ box, score, crop }] : [];
  });
  let chips: Awaited<ReturnType<typeof alignFace>>['chip'][] = [];
  if (faces.length > 0) {
    s = process.hrtime.bigint();
    const size = LANDMARK_INPUT_SIZE;
    const fits = faces.map((f) => fitInSquare(f.crop.width, f.crop.height, size));
    const batch = new Float32Array(faces.length * size * size * 3);
    await Promise.all(faces.map((f, i) => writeCropTensor(image, f.crop, fits[i]!, batch, i)));
    mark('landmarks.prep', s);
    s = process.hrtime.bigint();
    const lm = await p.pool.run('landmarks', { input: { data: batch, dims: [faces.length, size, size, 3] } });
    const points = output(lm, 'landmarks').data;
    const landmarks = faces.map((f, i) => mapLandmarks(points, i * 136, f.crop, fits[i]!));
    mark('landmarks.net', s);
    t.landmarks = t['landmarks.prep']! + t['landmarks.net']!;

    s = process.hrtime.bigint();
    const aligned = await Promise.all(landmarks.map((l) => alignFace(image, l, p.embedder.chipSize)));
    chips = aligned.map((a) => a.chip);
    mark('align', s);

    s = process.hrtime.bigint();
    faces.forEach((f, i) =>
      assessQuality({ ...f, landmarks68: landmarks[i]!, landmarks5: reduceTo5(landmarks[i]!) }, chips[i]!),
    );
    mark('quality', s);

    s = process.hrtime.bigint();
    await p.embedder.embed(chips);
    mark('embed', s);
  } else {
    for (const stage of [
      'landmarks.prep',
      'landmarks.net',
      'landmarks',
      'align',
      'quality',
      'embed',
    ] as const) {
      t[stage] = 0;
    }
  }
  mark('stages total', all);
  return { t, faces: faces.length, retried };
}

async function main(): Promise<void> {
  const repeat = args.optionalInt('repeat') ?? 5;
  const lfwSample = Number(args.string('lfw-sample'));
  const samples = [...demoImages(), ...lfwImages(path.resolve(args.string('lfw')), lfwSample)];
  const config = benchConfig();
  const pipeline = await startPipeline(config);
  const { minScore, minFaceSize } = config.models;
  info(
    `${samples.length} images (${samples.filter((s) => s.set === 'demo').length} demo), ${repeat} passes each`,
  );

  const times = new Map<string, Map<Stage, number[]>>();
  const faceCounts = new Map<string, number[]>();
  const retries = new Map<string, number>();
  const record = (set: string, stage: Stage, ms: number) => {
    for (const key of [set, 'all']) {
      if (!times.has(key)) times.set(key, new Map());
      const m = times.get(key)!;
      if (!m.has(stage)) m.set(stage, []);
      m.get(stage)!.push(ms);
    }
  };
  const tick = progress('pipeline', samples.length * repeat);
  let done = 0;
  try {
    // One untimed pass so libvips and the JIT are warm for every image size.
    for (const sample of samples.slice(0, 6)) await pipeline.analysis.analyze(sample.bytes);
    for (let r = 0; r < repeat; r++) {
      for (const sample of samples) {
        const { t, faces, retried } = await timeStages(pipeline, sample.bytes, minScore, minFaceSize);
        if (retried && r === 0) retries.set(sample.set, (retries.get(sample.set) ?? 0) + 1);
        for (const stage of STAGES) if (t[stage] !== undefined) record(sample.set, stage, t[stage]);
        if (r === 0) faceCounts.set(sample.set, [...(faceCounts.get(sample.set) ?? []), faces]);
        const s = process.hrtime.bigint();
        await pipeline.analysis.analyze(sample.bytes);
        record(sample.set, 'analyze() end to end', msSince(s));
        tick(++done);
      }
    }
  } finally {
    await pipeline.close();
  }

  const sets = ['demo', 'lfw', 'all'].filter((s) => times.has(s));
  const result: Record<string, Record<string, { p50: number; p95: number; mean: number }>> = {};
  for (const set of sets) {
    result[set] = {};
    for (const stage of STAGES) {
      const values = times.get(set)!.get(stage);
      if (!values) continue;
      const s = summarize(values);
      result[set][stage] = { p50: round(s.p50, 2), p95: round(s.p95, 2), mean: round(s.mean, 2) };
    }
  }
  const faces = Object.fromEntries(
    [...faceCounts].map(([set, counts]) => [
      set,
      {
        images: counts.length,
        faces: counts.reduce((a, b) => a + b, 0),
        max: Math.max(...counts),
        secondDetectorPass: retries.get(set) ?? 0,
      },
    ]),
  );
  const rss = peakRssMiB();

  for (const set of sets) {
    const f = set === 'all' ? undefined : faces[set];
    printTable(
      `Stage latency, ${set} images${f ? ` (${f.images} images, ${f.faces} faces, up to ${f.max} per image, ${f.secondDetectorPass} needed the detector's second pass)` : ''}, ms per image`,
      ['stage', 'p50', 'p95', 'mean'],
      STAGES.filter((stage) => result[set]![stage]).map((stage) => {
        const r = result[set]![stage]!;
        return [stage, r.p50, r.p95, r.mean];
      }),
    );
  }
  process.stdout.write(`\nPeak RSS (process incl. inference worker): ${rss} MiB\n`);
  printJson({
    benchmark: 'pipeline',
    machine: machineInfo(),
    config: {
      workers: config.models.workers,
      threads: config.models.threadsPerWorker,
      minScore,
      minFaceSize,
    },
    repeat,
    images: faces,
    stagesMs: result,
    peakRssMiB: rss,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
