import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/app-config.js';
import { BenchApiClient, errorCode, type ServedModels } from './lib/api-client.js';
import { parseOptions } from './lib/args.js';
import {
  countBy,
  equalErrorPoint,
  genuineOutcome,
  identifyAnswer,
  impostorOutcome,
  type ProbeRecord,
  type Rates,
  type Rule,
  ratesAt,
  recogniseAnswer,
  thresholdGrid,
} from './lib/identification.js';
import { farPlan, frrPlan, listLfwPeople, type PersonImage, spread } from './lib/lfw-people.js';
import { describeLoad } from './lib/proc-stats.js';
import { info, machineInfo, printJson, printTable, progress } from './lib/report.js';
import { ensureBuilt, startService } from './lib/service-process.js';
import { selectProfile, serviceRule } from './lib/setup.js';
import { forEachConcurrent, pct, round } from './lib/stats.js';
import { lineChartSvg, writeSvg } from './lib/svg.js';

/**
 * The owner's identification protocol on LFW, end to end through the HTTP API.
 *
 * - FRR: enrol the first image of every person with ≥ 2 images (add_user), probe with the second.
 *   A probe is falsely rejected unless it is matched to that person's user; wrong-user matches
 *   (misidentifications) and "no face" (601) are also rejections, counted separately.
 * - FAR: split the people in two alternating halves, enrol the first image of each person of one
 *   half on a fresh service, probe with every image of the other half. Any match is a false
 *   acceptance.
 *
 * Each phase enrols on a fresh database (with the duplicate-face guard off unless --enrol-guard,
 * see runPhase), then probes twice after restarts on that database: recognise_user on the service
 * as configured (the headline numbers, the real decision path), then identify (top_k 2) with
 * MATCH_THRESHOLD=2 and MATCH_MARGIN=0, which returns the nearest two users whatever the
 * distance, so FRR and FAR can be computed for any threshold and margin. Per-probe answers are
 * written to --out for offline analysis.
 *
 * Every service this script starts serves `--profile` (FACE_PROFILE; default: the environment's
 * FACE_PROFILE, else the manifest's default profile). The offline analysis centres on the rule
 * the service applies: the served profile's threshold and margin as `GET /api/v1/models` reports
 * them, with MATCH_THRESHOLD / MATCH_MARGIN from this environment on top (the recognise pass
 * inherits it). The threshold grid (`--max-threshold`, `--step`) and the margins compared
 * (`--margins`) default to ranges scaled to that rule, since profiles' distances differ
 * (dlib's threshold is about 0.09, MobileFaceNet's about 0.5).
 *
 *   npm run bench:identify -- [--profile mobilefacenet|dlib] [--dir ../shared/lfw-dev] [--limit 200]
 *                             [--phases frr,far] [--enrol-guard] [--max-threshold T --step S]
 *                             [--margins 0,0.01,0.02] [--out file] [--svg file]
 *   npm run bench:identify -- --url http://host:3000 --key frk_… --phases frr   (an empty service)
 */

const args = parseOptions({
  dir: { type: 'string', default: '../shared/lfw-dev' },
  limit: { type: 'string' },
  phases: { type: 'string', default: 'frr,far' },
  concurrency: { type: 'string', default: '2' },
  profile: { type: 'string' },
  'max-threshold': { type: 'string' },
  step: { type: 'string' },
  margins: { type: 'string' },
  svg: { type: 'string', default: 'docs/img/identify-far-frr-{profile}.svg' },
  out: { type: 'string', default: 'bench/results/identify-probes-{profile}.json' },
  url: { type: 'string' },
  key: { type: 'string' },
  'enrol-guard': { type: 'boolean', default: false },
  'no-build': { type: 'boolean', default: false },
});

interface PhaseResult {
  phase: 'frr' | 'far';
  enrolment: Record<string, number>;
  probes: ProbeRecord[];
  /** The threshold the recognise pass ran with (reported by the service in match responses). */
  serviceThreshold?: number;
  /** What the recognise pass's service said it serves (GET /api/v1/models). */
  served: ServedModels;
  /** The rule the identify pass reported (threshold, margin); 2 and 0 on a service started here. */
  nearestRule?: { threshold: number; margin: number };
}

/** The profile every service started here serves (set in main). */
let profileName = '';

const displayName = (person: string) => person.replace(/_/g, ' ');

async function enrolAll(client: BenchApiClient, images: PersonImage[], label: string) {
  const userIds = new Map<string, string>();
  const outcomes: string[] = [];
  const tick = progress(label, images.length);
  let done = 0;
  await forEachConcurrent(images, args.number('concurrency'), async (image) => {
    const response = await client.addUser(displayName(image.person), readFileSync(image.file));
    const userId = response.body?.user_id;
    if (response.status === 201 && typeof userId === 'string') {
      userIds.set(image.person, userId);
      outcomes.push('enrolled');
    } else {
      const code = errorCode(response);
      outcomes.push(
        code === 601
          ? 'no face (601)'
          : code === 602
            ? 'face too small (602)'
            : response.status === 409
              ? 'already enrolled as another user (409)'
              : `HTTP ${response.status}`,
      );
    }
    tick(++done);
  });
  return { userIds, enrolment: countBy(outcomes) as Record<string, number> };
}

/** The rule a service reported in its answers (recognise: threshold on matches; identify: both). */
interface ReportedRule {
  threshold?: number;
  margin?: number;
}

async function probeAll(
  client: BenchApiClient,
  probes: ProbeRecord[],
  pass: 'recognise' | 'nearest',
  label: string,
): Promise<ReportedRule> {
  const reported: ReportedRule = {};
  const tick = progress(label, probes.length);
  let done = 0;
  await forEachConcurrent(probes, args.number('concurrency'), async (probe) => {
    const bytes = readFileSync(probe.image);
    const response = pass === 'recognise' ? await client.recognise(bytes) : await client.identify(bytes, 2);
    if (pass === 'recognise') probe.recognise = recogniseAnswer(response);
    else probe.nearest = identifyAnswer(response);
    if (typeof response.body?.threshold === 'number') reported.threshold = response.body.threshold;
    if (typeof response.body?.margin === 'number') reported.margin = response.body.margin;
    tick(++done);
  });
  return reported;
}

/** The reported rule when the service reported both parts. */
function fullRule(r: ReportedRule): { threshold: number; margin: number } | undefined {
  return r.threshold !== undefined && r.margin !== undefined
    ? { threshold: r.threshold, margin: r.margin }
    : undefined;
}

/**
 * One phase on a fresh database: enrolment, then recognise_user at the service's threshold, then
 * identify after a restart with MATCH_THRESHOLD=2. Enrolment runs with ENROL_DUPLICATE_THRESHOLD=0 unless
 * --enrol-guard: add_user refuses a face within the threshold of another user (409), and at the
 * calibrated threshold that guard refuses many LFW first photos, so "every person enrolled"
 * would not hold. The guard's refusals are measured separately with --enrol-guard.
 */
async function runPhase(
  phase: 'frr' | 'far',
  enrol: PersonImage[],
  probeImages: PersonImage[],
): Promise<PhaseResult> {
  const toProbes = (userIds: Map<string, string>): ProbeRecord[] =>
    probeImages.map((p) => ({
      person: p.person,
      image: p.file,
      expectedUserId: phase === 'frr' ? userIds.get(p.person) : undefined,
    }));
  const external = args.optionalString('url');
  if (external) {
    // Against someone else's service: one database, its own threshold; the nearest pass sees
    // only what that threshold lets through.
    const client = new BenchApiClient(external, args.string('key'));
    const served = await client.models();
    const enrolled = await enrolAll(client, enrol, `${phase} enrol`);
    const probes = toProbes(enrolled.userIds);
    const recognised = await probeAll(client, probes, 'recognise', `${phase} recognise_user`);
    const nearest = await probeAll(client, probes, 'nearest', `${phase} identify`);
    return {
      phase,
      enrolment: enrolled.enrolment,
      probes,
      serviceThreshold: recognised.threshold,
      served,
      nearestRule: fullRule(nearest),
    };
  }

  const guard = args.flag('enrol-guard');
  const enrolService = await startService({
    label: `${phase}/enrol${guard ? '' : ' (ENROL_DUPLICATE_THRESHOLD=0)'}`,
    profile: profileName,
    env: guard ? {} : { ENROL_DUPLICATE_THRESHOLD: '0' },
  });
  let enrolled: Awaited<ReturnType<typeof enrolAll>>;
  try {
    enrolled = await enrolAll(
      new BenchApiClient(enrolService.url, enrolService.key),
      enrol,
      `${phase} enrol`,
    );
  } finally {
    await enrolService.stop();
  }
  info(`${phase} enrolment: ${JSON.stringify(enrolled.enrolment)}`);
  const probes = toProbes(enrolled.userIds);
  const pass = async (label: string, env: Record<string, string>, kind: 'recognise' | 'nearest') => {
    const service = await startService({
      label,
      profile: profileName,
      dataDir: enrolService.dataDir,
      key: enrolService.key,
      env,
    });
    try {
      const client = new BenchApiClient(service.url, service.key);
      const served = await client.models();
      return { served, reported: await probeAll(client, probes, kind, `${phase} ${kind}`) };
    } finally {
      await service.stop();
    }
  };
  const recognised = await pass(`${phase}/service rule`, {}, 'recognise');
  const nearest = await pass(
    `${phase}/MATCH_THRESHOLD=2`,
    { MATCH_THRESHOLD: '2', MATCH_MARGIN: '0' },
    'nearest',
  );
  return {
    phase,
    enrolment: enrolled.enrolment,
    probes,
    serviceThreshold: recognised.reported.threshold,
    served: recognised.served,
    nearestRule: fullRule(nearest.reported),
  };
}

/**
 * Margins the report compares (cosine distance between the nearest user and the runner-up):
 * `--margins`, else 0 to twice the served margin in 1-2-5 steps of at most a third of it (for
 * dlib's 0.015: 0, 0.005, … 0.03; for 0.02: 0, 0.005, … 0.04), the served margin always included.
 */
function marginsToCompare(served: number): number[] {
  const option = args.optionalString('margins');
  if (option) return [...new Set([...args.numbers('margins'), served])].sort((a, b) => a - b);
  if (!(served > 0)) return [0, 0.005, 0.01, 0.015, 0.02, 0.03];
  // The largest 1-2-5 step not above a third of the margin (dlib's 0.015: 0.005).
  const magnitude = 10 ** Math.floor(Math.log10(served / 3));
  const step = [5, 2, 1].map((k) => k * magnitude).find((k) => k <= served / 3 + 1e-12)!;
  const list = Array.from({ length: Math.round((2 * served) / step) + 1 }, (_, i) => round(i * step, 6));
  return [...new Set([...list, served])].sort((a, b) => a - b);
}

/**
 * The threshold grid: `--max-threshold` / `--step`, else up to 2.5 × the served threshold
 * (rounded up to 0.05) in 100 steps — for dlib's 0.094: 0 … 0.25 by 0.0025.
 */
function grid(threshold: number) {
  const max = args.optionalString('max-threshold')
    ? args.number('max-threshold')
    : Math.max(0.05, Math.ceil((2.5 * threshold) / 0.05) * 0.05);
  const step = args.optionalString('step') ? args.number('step') : round(max / 100, 6);
  return thresholdGrid(round(max, 6), step);
}

/** `{profile}` in an output path becomes the profile's name. */
const outputPath = (template: string) => template.replaceAll('{profile}', profileName);

/** For one margin: the equal-error point, and the best FRR at FAR ≤ 1 % and ≤ 5 %, over the grid. */
function marginSummary(curve: Rates[], margin: number) {
  const bestFrrAt = (far: number) =>
    curve.filter((r) => r.far <= far).sort((a, b) => a.frr - b.frr || a.threshold - b.threshold)[0];
  return { margin, eer: equalErrorPoint(curve), atFar1: bestFrrAt(0.01), atFar5: bestFrrAt(0.05) };
}

function writeCurve(
  curve: Rates[],
  thresholdOnly: Rates[],
  rule: Rule,
  file: string,
  counts: { genuine: number; impostor: number },
): void {
  const percent = (rates: Rates[], key: 'frr' | 'far' | 'misidentification') =>
    rates.map((r) => ({ x: r.threshold, y: 100 * r[key] }));
  const svg = lineChartSvg(
    [
      {
        label: `FRR, margin ${rule.margin} (${counts.genuine} genuine probes)`,
        points: percent(curve, 'frr'),
      },
      {
        label: `FAR, margin ${rule.margin} (${counts.impostor} impostor probes)`,
        points: percent(curve, 'far'),
      },
      { label: 'misidentifications (in FRR)', points: percent(curve, 'misidentification') },
      { label: 'FRR, threshold only', points: percent(thresholdOnly, 'frr'), color: '#9ecae1' },
      { label: 'FAR, threshold only', points: percent(thresholdOnly, 'far'), color: '#fdae6b' },
      {
        label: `service threshold ${rule.threshold}`,
        points: [
          { x: rule.threshold, y: 0 },
          { x: rule.threshold, y: 100 },
        ],
        color: '#555',
      },
    ],
    {
      title: 'LFW identification through the API: FRR and FAR vs threshold',
      xLabel:
        'threshold (cosine distance; accept when distance ≤ threshold and clear of the runner-up by the margin)',
      yLabel: '% of probes',
      yRange: [0, 100],
    },
  );
  writeSvg(file, svg);
  info(`wrote ${file}`);
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const load = describeLoad(machine.cpus);
  info(load.text);
  const all = listLfwPeople(args.string('dir'));
  if (!all)
    throw new Error(`no LFW folder at ${args.string('dir')} (expected images/<Name>/<Name>_0001.jpg)`);
  const limit = args.optionalInt('limit');
  const people = limit ? spread(all, limit) : all;
  const phases = args.string('phases').split(',');
  const external = args.optionalString('url');
  if (external && phases.length > 1) {
    throw new Error('with --url, run one phase at a time (--phases frr or --phases far) on an empty service');
  }
  if (external && args.optionalString('profile')) {
    throw new Error(
      'with --url the service serves what it was started with; --profile applies to services started here',
    );
  }
  const config = loadConfig(process.env);
  if (!external) {
    ensureBuilt(args.flag('no-build'));
    profileName = (await selectProfile(config, args.optionalString('profile'))).name;
    info(`profile ${profileName}`);
  }
  info(`${people.length} people, ${people.reduce((n, p) => n + p.images.length, 0)} images`);

  const results: PhaseResult[] = [];
  if (phases.includes('frr')) {
    const plan = frrPlan(people);
    results.push(await runPhase('frr', plan.enrol, plan.probes));
  }
  if (phases.includes('far')) {
    const plan = farPlan(people);
    results.push(await runPhase('far', plan.enrol, plan.probes));
  }
  const genuine = results.find((r) => r.phase === 'frr')?.probes ?? [];
  const impostor = results.find((r) => r.phase === 'far')?.probes ?? [];
  if (results.length === 0) throw new Error(`no phase run (--phases ${args.string('phases')})`);

  // The rule the recognise pass applied: the served profile's calibrated threshold and margin,
  // with this environment's MATCH_THRESHOLD / MATCH_MARGIN on top (the services inherit it). A
  // service someone else runs reports its effective rule in its identify answers instead.
  const served = results[0]!.served;
  if (served.move_pending || (profileName && served.serving.name !== profileName)) {
    info(
      `warning: the service serves '${served.serving.name}' (${served.serving.embedding_space}), ` +
        `move pending ${served.move_pending}; asked for '${profileName || '(its own)'}'`,
    );
  }
  profileName ||= served.serving.name;
  const rule = external
    ? (results[0]!.nearestRule ?? serviceRule(served.serving, loadConfig({})))
    : serviceRule(served.serving, config);
  const { threshold } = rule;
  const reportedThresholds = results.map((r) => r.serviceThreshold).filter((t) => t !== undefined);
  if (reportedThresholds.some((t) => Math.abs(t - threshold) > 1e-9)) {
    info(`warning: recognise_user reported threshold(s) ${reportedThresholds.join(', ')}, not ${threshold}`);
  }
  info(
    `served profile ${served.serving.name} (${served.serving.embedding_space}, ${served.serving.dimension}-D): ` +
      `calibrated threshold ${served.serving.threshold}, margin ${served.serving.margin}; ` +
      `rule applied: threshold ${threshold}, margin ${rule.margin}`,
  );

  // Headline: the recognise_user decisions of the service as configured.
  const gOutcomes = genuine.map((p) =>
    genuineOutcome(p.recognise ?? { kind: 'error', status: 0 }, p.expectedUserId),
  );
  const iOutcomes = impostor.map((p) => impostorOutcome(p.recognise ?? { kind: 'error', status: 0 }));
  const g = countBy(gOutcomes);
  const im = countBy(iOutcomes);
  const notEnrolled = genuine.filter((p) => !p.expectedUserId).length;
  // The same rate over the people the service agreed to enrol (failures to enrol left out).
  const enrolledOutcomes = gOutcomes.filter((_, i) => genuine[i]!.expectedUserId);
  const enrolledCorrect = enrolledOutcomes.filter((o) => o === 'correct').length;
  const farAttempts = impostor.length - (im['no-face'] ?? 0);
  const headline = {
    genuineProbes: genuine.length,
    correct: g.correct ?? 0,
    falseRejections: genuine.length - (g.correct ?? 0),
    frrPct: pct(genuine.length - (g.correct ?? 0), genuine.length),
    noMatch: g['no-match'] ?? 0,
    misidentifications: g['wrong-user'] ?? 0,
    noFace: g['no-face'] ?? 0,
    errors: g.error ?? 0,
    probesOfPeopleNotEnrolled: notEnrolled,
    frrOfEnrolledPct: pct(enrolledOutcomes.length - enrolledCorrect, enrolledOutcomes.length),
    enrolledProbes: enrolledOutcomes.length,
    impostorProbes: impostor.length,
    impostorNoFace: im['no-face'] ?? 0,
    impostorErrors: im.error ?? 0,
    falseAcceptances: im.accepted ?? 0,
    farPct: pct(im.accepted ?? 0, farAttempts),
  };

  // The same decisions recomputed from the nearest answers under the service's rule.
  const fromNearest = ratesAt(genuine, impostor, rule);
  const agree = (a: string, b: string) => (a === b ? 1 : 0);
  const genuineAgreement = genuine.reduce(
    (n, p, i) =>
      n +
      agree(gOutcomes[i]!, genuineOutcome(p.nearest ?? { kind: 'error', status: 0 }, p.expectedUserId, rule)),
    0,
  );
  const impostorAgreement = impostor.reduce(
    (n, p, i) => n + agree(iOutcomes[i]!, impostorOutcome(p.nearest ?? { kind: 'error', status: 0 }, rule)),
    0,
  );

  const thresholds = grid(threshold);
  const curveAt = (margin: number) =>
    thresholds.map((t) => ratesAt(genuine, impostor, { threshold: t, margin }));
  const curve = curveAt(rule.margin);
  const thresholdOnly = curveAt(0);
  const margins = marginsToCompare(rule.margin).map((margin) => marginSummary(curveAt(margin), margin));
  const eer = equalErrorPoint(curve);
  // The targets of the pipeline-v2 work: FRR ≤ 5 % with FAR ≤ 2 %.
  const TARGET = { frr: 0.05, far: 0.02 };
  const bothMet = curve.filter((r) => r.frr <= TARGET.frr && r.far <= TARGET.far);
  const bestFrrAtFar2 = curve.filter((r) => r.far <= TARGET.far).sort((a, b) => a.frr - b.frr)[0];
  const bestFrrAtFar1 = curve.filter((r) => r.far <= 0.01).sort((a, b) => a.frr - b.frr)[0];
  const bestFarAtFrr1 = curve.filter((r) => r.frr <= 0.01).sort((a, b) => a.far - b.far)[0];
  if (genuine.length > 0 && impostor.length > 0) {
    writeCurve(curve, thresholdOnly, rule, outputPath(args.string('svg')), {
      genuine: genuine.length,
      impostor: farAttempts,
    });
  }
  const out = outputPath(args.string('out'));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ profile: served.serving, ...rule, phases: results }, null, 1));
  info(`per-probe answers written to ${out}`);

  printTable(
    `LFW identification through the HTTP API, profile ${served.serving.name} (${served.serving.embedding_space}) ` +
      `(${path.resolve(args.string('dir'))}, ${people.length} people; ${load.text})`,
    [
      'phase',
      'enrolment',
      'probes',
      `outcomes (recognise_user, threshold ${threshold}, margin ${rule.margin})`,
    ],
    results.map((r) => [
      r.phase,
      JSON.stringify(r.enrolment),
      r.probes.length,
      JSON.stringify(r.phase === 'frr' ? g : im),
    ]),
  );
  const sweepRow = (label: string, r: Rates | undefined): (string | number)[] =>
    r
      ? [
          label,
          r.threshold,
          r.margin,
          round(100 * r.frr, 2),
          round(100 * r.misidentification, 2),
          round(100 * r.far, 2),
        ]
      : [label, 'n/a', '', '', '', ''];
  printTable(
    'FRR / FAR at chosen points (from identify with MATCH_THRESHOLD=2, MATCH_MARGIN=0)',
    ['point', 'threshold', 'margin', 'FRR %', 'misidentified %', 'FAR %'],
    [
      sweepRow('service rule', fromNearest),
      sweepRow('equal error rate', eer),
      sweepRow('lowest FRR with FAR ≤ 1 %', bestFrrAtFar1),
      sweepRow('lowest FRR with FAR ≤ 2 %', bestFrrAtFar2),
      sweepRow('lowest FAR with FRR ≤ 1 %', bestFarAtFrr1),
    ],
  );
  printTable(
    'Effect of the margin (best threshold on the grid for each)',
    ['margin', 'EER point (t: FRR / FAR %)', 'lowest FRR with FAR ≤ 5 %', 'lowest FRR with FAR ≤ 1 %'],
    margins.map((m) => {
      const point = (r: Rates | undefined) =>
        r ? `t ${r.threshold}: ${round(100 * r.frr, 2)} / ${round(100 * r.far, 2)}` : 'n/a';
      return [m.margin, point(m.eer), point(m.atFar5), point(m.atFar1)];
    }),
  );
  printTable(
    'Targets (headline: recognise_user at the service threshold)',
    ['target', 'measured', 'met'],
    [
      [
        'FRR ≤ 5 %',
        `${headline.frrPct} % (${headline.falseRejections}/${headline.genuineProbes}: ${headline.noMatch} no match, ` +
          `${headline.misidentifications} wrong user, ${headline.noFace} no face, ${headline.errors} errors; ` +
          `${notEnrolled} probes of people the service did not enrol; ${headline.frrOfEnrolledPct} % ` +
          `over the ${enrolledOutcomes.length} enrolled people)`,
        headline.frrPct <= 100 * TARGET.frr ? 'yes' : 'no',
      ],
      [
        'FAR ≤ 2 %',
        `${headline.farPct} % (${headline.falseAcceptances}/${farAttempts}; ${headline.impostorNoFace} probes without a face)`,
        headline.farPct <= 100 * TARGET.far ? 'yes' : 'no',
      ],
      [
        'both at some threshold (margin as served)',
        bothMet.length > 0 ? `${bothMet[0]!.threshold}–${bothMet.at(-1)!.threshold}` : 'none on the grid',
        bothMet.length > 0 ? 'yes' : 'no',
      ],
    ],
  );
  printJson({
    benchmark: 'identify',
    machine,
    loadAverageAtStart: load.loadAverage,
    loadHigh: load.high,
    dataset: { dir: path.resolve(args.string('dir')), people: people.length },
    profile: {
      name: served.serving.name,
      space: served.serving.embedding_space,
      dimension: served.serving.dimension,
      calibrated: { threshold: served.serving.threshold, margin: served.serving.margin },
      flip: served.serving.flip,
    },
    rule,
    grid: { max: thresholds.at(-1), step: thresholds[1] },
    enrolmentGuard: args.flag('enrol-guard'),
    serviceThresholds: results.map((r) => r.serviceThreshold),
    enrolment: Object.fromEntries(results.map((r) => [r.phase, r.enrolment])),
    headline,
    recomputedAtThreshold: fromNearest,
    agreement: {
      genuine: `${genuineAgreement}/${genuine.length}`,
      impostor: `${impostorAgreement}/${impostor.length}`,
    },
    equalErrorRate: eer,
    lowestFrrWithFarUnder1: bestFrrAtFar1,
    lowestFarWithFrrUnder1: bestFarAtFrr1,
    lowestFrrWithFarUnder2: bestFrrAtFar2,
    thresholdsMeetingTargets: bothMet.map((r) => r.threshold),
    margins,
    curve: curve.map((r) => ({
      t: r.threshold,
      frr: round(r.frr, 5),
      far: round(r.far, 5),
      misid: round(r.misidentification, 5),
    })),
  });
}

await main();
