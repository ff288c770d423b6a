/**
 * Decision rules for 1:N identification, compared offline on the LFW protocol of `bench:identify`
 * (same people, same galleries, same probes), so that a rule can be judged before the service
 * adopts it. Every photo is embedded once in process with the production pipeline (every face,
 * cached per profile; `--pick` says which face stands for the photo), the enrolment quality gate
 * is applied to the gallery photos as `add_user` applies it, and each probe is searched exactly
 * against its phase's gallery. Rules, each swept over its parameters:
 *
 * - `threshold`: the nearest user within a distance.
 * - `margin`: the service's rule, nearest within the threshold and at least `margin` closer than
 *   the runner-up (swept over thresholds for each margin).
 * - `cohort k`: the nearest user's distance compared with the mean distance of the next k users
 *   (test normalisation against the gallery as cohort): accept when the gap is at least g, with
 *   a loose distance cap. Needs a gallery of more than k users.
 *
 * For each rule: the lowest FRR with FAR ≤ 1 %, 2 %, 5 % over its grid, and the service's own
 * rule as a check that this replay agrees with `bench:identify` through the API.
 *
 * Two options replay the protocol of the model spike in the shared notes instead, to tell the
 * pipeline's accuracy apart from the protocol's: `--pick centre` embeds the face nearest the
 * image centre (the named person in LFW) where the service takes the main face (`--pick largest`:
 * the largest box, the service's rule before), and `--strangers first` probes with each
 * stranger's first photo only, not every photo.
 *
 *   npm run bench:identify-rules -- [--dir ../shared/lfw-dev] [--profile mobilefacenet]
 *                                   [--cohorts 5,10,20] [--no-gate] [--cache file]
 *                                   [--pick main|largest|centre] [--strangers all|first]
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/app-config.js';
import { checkEnrolmentQuality } from '../src/enrollment/enrolment-quality.js';
import { effectiveRule } from '../src/gallery/match-rule.js';
import type { Box, FaceQuality } from '../src/face/face.types.js';
import { largestFace, mainFace } from '../src/pipeline/face-analysis.service.js';
import { parseOptions } from './lib/args.js';
import { cosineDistance } from './lib/verification.js';
import { centreFace, farPlan, frrPlan, listLfwPeople, type PersonImage } from './lib/lfw-people.js';
import { info, printJson, printTable, progress } from './lib/report.js';
import { benchConfig, selectProfile, startPipeline } from './lib/setup.js';
import { forEachConcurrent, pct } from './lib/stats.js';

const args = parseOptions({
  dir: { type: 'string', default: '../shared/lfw-dev' },
  profile: { type: 'string' },
  cohorts: { type: 'string', default: '5,10,20' },
  'no-gate': { type: 'boolean', default: false },
  cache: { type: 'string', default: 'bench/results/identify-faces-{profile}.json' },
  pick: { type: 'string', default: 'main' },
  strangers: { type: 'string', default: 'all' },
});

interface Embedded {
  box: Box;
  vector: number[];
  quality: FaceQuality;
}
/** Every face of a photo, so that each selection rule is replayed from one embedding pass. */
interface EmbeddedPhoto {
  width: number;
  height: number;
  faces: Embedded[];
}
type EmbeddingCache = Record<string, EmbeddedPhoto>;

async function embedAll(files: string[], profile: string, cacheFile: string): Promise<EmbeddingCache> {
  const cache: EmbeddingCache = existsSync(cacheFile)
    ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as EmbeddingCache)
    : {};
  const missing = files.filter((f) => !(path.basename(f) in cache));
  if (missing.length === 0) return cache;
  const pipeline = await startPipeline(benchConfig(), profile);
  try {
    const tick = progress(`embed (${profile})`, missing.length);
    let done = 0;
    await forEachConcurrent(missing, 2, async (file) => {
      const { image, faces } = await pipeline.analysis.analyze(readFileSync(file), pipeline.models);
      cache[path.basename(file)] = {
        width: image.width,
        height: image.height,
        faces: faces.map((f) => ({ box: f.box, vector: Array.from(f.embedding), quality: f.quality })),
      };
      tick(++done);
    });
  } finally {
    await pipeline.close();
  }
  mkdirSync(path.dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(cache));
  return cache;
}

const PICKS = {
  /** The largest box: the service's rule before the main face. */
  largest: (photo: EmbeddedPhoto) => largestFace(photo.faces),
  /** The face nearest the image centre: LFW's named person, and the model spike's choice. */
  centre: (photo: EmbeddedPhoto) => centreFace(photo.faces, photo.width, photo.height),
  /** The service's rule: the most prominent face (FaceNet's and InsightFace's choice). */
  main: (photo: EmbeddedPhoto) => mainFace(photo.faces, photo),
};
type Pick = keyof typeof PICKS;

/** The face a rule picks from each photo (null: no face), with the same file keys. */
function pickFaces(cache: EmbeddingCache, pick: Pick): Record<string, Embedded | null> {
  return Object.fromEntries(
    Object.entries(cache).map(([file, photo]) => [file, photo.faces.length > 0 ? PICKS[pick](photo)! : null]),
  );
}

/** Each person's first photo among `probes` (which list a person's photos in order). */
function firstPhotoEach(probes: readonly PersonImage[]): PersonImage[] {
  const seen = new Set<string>();
  return probes.filter((p) => !seen.has(p.person) && seen.add(p.person));
}

/** Unit length, as cosineDistance expects. */
function unit(v: readonly number[]): Float32Array {
  const norm = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / norm);
}

/** A probe's nearest gallery users (one face each), nearest first, with the true user's index. */
interface Neighbours {
  distances: number[];
  users: number[];
  /** Index of the probe's own person in the gallery; -1 for strangers or people not enrolled. */
  own: number;
}

/**
 * Exact search of every probe against its gallery (the faces the gate lets in). A probe with no
 * face has no neighbours (undefined): a genuine one counts as a miss, an impostor one is left out
 * of the FAR, as in bench:identify; so does a genuine probe whose person was not enrolled.
 */
function search(
  cache: Record<string, Embedded | null>,
  plan: { enrol: PersonImage[]; probes: PersonImage[] },
  gate: (q: FaceQuality) => boolean,
  keep: number,
): { neighbours: (Neighbours | undefined)[]; enrolled: number } {
  const gallery = plan.enrol.flatMap((e) => {
    const face = cache[path.basename(e.file)];
    return face && gate(face.quality) ? [{ person: e.person, vector: unit(face.vector) }] : [];
  });
  const index = new Map(gallery.map((g, i) => [g.person, i]));
  const neighbours = plan.probes.map((p) => {
    const face = cache[path.basename(p.file)];
    if (!face) return undefined;
    const q = unit(face.vector);
    const all = gallery.map((g, i) => ({ d: cosineDistance(q, g.vector), i }));
    all.sort((a, b) => a.d - b.d);
    const top = all.slice(0, keep);
    return { distances: top.map((t) => t.d), users: top.map((t) => t.i), own: index.get(p.person) ?? -1 };
  });
  return { neighbours, enrolled: gallery.length };
}

/** A decision rule: does it accept the nearest user? */
type Accept = (n: Neighbours) => boolean;

interface Point {
  rule: string;
  params: string;
  frr: number;
  far: number;
}

function rates(genuine: (Neighbours | undefined)[], impostor: (Neighbours | undefined)[], accept: Accept) {
  const correct = genuine.filter((n) => n && n.own >= 0 && n.users[0] === n.own && accept(n)).length;
  const attempts = impostor.filter((n): n is Neighbours => n !== undefined && n.distances.length > 0);
  const accepted = attempts.filter(accept).length;
  return { frr: 1 - correct / genuine.length, far: accepted / attempts.length };
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let x = from; x <= to + 1e-9; x += step) out.push(Math.round(x * 1e5) / 1e5);
  return out;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const profile = await selectProfile(config, args.optionalString('profile'));
  const people = listLfwPeople(args.string('dir'));
  if (!people) throw new Error(`no LFW folder at ${args.string('dir')}`);
  const pick = args.string('pick');
  if (!(pick in PICKS)) throw new Error(`--pick is one of ${Object.keys(PICKS).join(', ')}`);
  const strangers = args.string('strangers');
  if (strangers !== 'all' && strangers !== 'first') throw new Error('--strangers is all or first');
  const far = farPlan(people);
  const plan = {
    frr: frrPlan(people),
    far: strangers === 'all' ? far : { ...far, probes: firstPhotoEach(far.probes) },
  };
  // Every photo of the full protocol, whatever --strangers says, so one cache serves every variant.
  const files = [
    ...new Set([plan.frr.enrol, plan.frr.probes, far.enrol, far.probes].flat().map((x) => x.file)),
  ];
  info(`profile ${profile.name}: ${people.length} people, ${files.length} photos to embed`);
  const cacheFile = args.string('cache').replace('{profile}', profile.name);
  const cache = pickFaces(await embedAll(files, profile.name, cacheFile), pick as Pick);

  const limits = config.enrollment;
  const gateOn = !args.flag('no-gate');
  const gate = (q: FaceQuality) => {
    if (!gateOn) return true;
    try {
      checkEnrolmentQuality(q, limits);
      return true;
    } catch {
      return false;
    }
  };
  const cohorts = args.numbers('cohorts');
  const keep = Math.max(...cohorts) + 1;
  const genuine = search(cache, plan.frr, gate, keep);
  const impostor = search(cache, plan.far, gate, keep);
  info(
    `enrolled ${genuine.enrolled} / ${plan.frr.enrol.length} (FRR phase), ${impostor.enrolled} / ${plan.far.enrol.length} (FAR phase)`,
  );
  const g = genuine.neighbours;
  const im = impostor.neighbours;

  const service = effectiveRule(config, profile.matching);
  const points: Point[] = [];
  const add = (rule: string, params: string, accept: Accept) =>
    points.push({ rule, params, ...rates(g, im, accept) });
  const d1 = (n: Neighbours) => n.distances[0]!;
  const gap = (n: Neighbours) => (n.distances[1] ?? Infinity) - d1(n);
  const thresholds = range(0.2, 0.6, 0.005);

  add(
    'service (as configured)',
    `threshold ${service.threshold}, margin ${service.margin}`,
    (n) => d1(n) <= service.threshold && gap(n) >= service.margin,
  );
  for (const t of thresholds) add('threshold', `${t}`, (n) => d1(n) <= t);
  for (const m of range(0.01, 0.06, 0.01))
    for (const t of thresholds)
      add('margin', `threshold ${t}, margin ${m}`, (n) => d1(n) <= t && gap(n) >= m);
  for (const k of cohorts) {
    const cohortMean = (n: Neighbours) => {
      const next = n.distances.slice(1, k + 1);
      return next.length === k ? next.reduce((a, b) => a + b, 0) / k : Infinity;
    };
    for (const cap of [0.45, 0.5, 0.55, 0.6])
      for (const c of range(0.02, 0.4, 0.005))
        add(
          `cohort ${k}`,
          `gap to the mean of the next ${k} ≥ ${c}, distance ≤ ${cap}`,
          (n) => d1(n) <= cap && cohortMean(n) - d1(n) >= c,
        );
  }

  // The floor of any rule that names the nearest user: genuine probes whose nearest user is
  // someone else, or who were never enrolled / had no face.
  const rankOneMisses = g.filter((n) => !n || n.own < 0 || n.users[0] !== n.own).length;
  info(
    `genuine probes whose nearest user is not their own (or not enrolled): ${pct(rankOneMisses, g.length)} %`,
  );
  const families = [...new Set(points.map((p) => p.rule))];
  const best = (rule: string, maxFar: number) =>
    points
      .filter((p) => p.rule === rule && p.far <= maxFar)
      .sort((a, b) => a.frr - b.frr || a.far - b.far)[0];
  const rows = families.map((rule) => [
    rule,
    ...[0.01, 0.02, 0.05].map((f) => {
      const p = best(rule, rule.startsWith('service') ? 1 : f);
      return p ? `${pct(p.frr, 1)} % / ${pct(p.far, 1)} % (${p.params})` : '-';
    }),
  ]);
  printTable(
    `1:N rules on ${args.string('dir')} (${profile.name}; gate ${gateOn ? 'on' : 'off'}; ${pick} face; strangers' ${strangers} photos): lowest FRR / its FAR`,
    ['rule', 'FAR ≤ 1 %', 'FAR ≤ 2 %', 'FAR ≤ 5 %'],
    rows,
  );
  printJson({
    benchmark: 'identify-rules',
    profile: profile.name,
    gate: gateOn,
    pick,
    strangers,
    genuineProbes: g.length,
    impostorProbes: im.filter((n) => n).length,
    enrolled: { frr: genuine.enrolled, far: impostor.enrolled },
    rankOneMissRate: rankOneMisses / g.length,
    best: Object.fromEntries(
      families.map((r) => [r, [0.01, 0.02, 0.05].map((f) => best(r, r.startsWith('service') ? 1 : f))]),
    ),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
