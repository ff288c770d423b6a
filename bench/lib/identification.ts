import type { ApiResponse } from './api-client.js';
import { errorCode } from './api-client.js';

/**
 * Open-set identification metrics (1:N with a reject option) from per-probe answers of the
 * service. A probe's answer is the closest enrolled user, its cosine distance and the distance
 * of the runner-up (the next user); the service accepts when `distance <= threshold` and the
 * runner-up is at least `margin` further (MatchPolicy), so any rule can be evaluated offline
 * from answers recorded with no threshold and no margin at all.
 */

/** The service's 1:N decision rule (MatchPolicy). */
export interface Rule {
  threshold: number;
  margin: number;
}

/** What one API call said about a probe. */
export type ProbeAnswer =
  | { kind: 'match'; userId: string; distance: number; runnerUp?: number }
  | { kind: 'no-match' }
  | { kind: 'no-face' }
  | { kind: 'error'; status: number; code?: number };

export interface ProbeRecord {
  person: string;
  image: string;
  /** The user this person was enrolled as (genuine probes); undefined for impostors or failed enrolment. */
  expectedUserId?: string;
  /** recognise_user at the service's configured threshold: the real decision path. */
  recognise?: ProbeAnswer;
  /** identify (top_k 2) with MATCH_THRESHOLD=2 and MATCH_MARGIN=0: the nearest two users, always. */
  nearest?: ProbeAnswer;
}

export function recogniseAnswer(response: ApiResponse): ProbeAnswer {
  const body = response.body;
  if (response.status === 200 && body?.status === 'success') {
    const user = body.user_info as { id?: unknown } | undefined;
    return { kind: 'match', userId: String(user?.id), distance: Number(body.distance) };
  }
  if (response.status === 200 && body?.message === 'no_match') return { kind: 'no-match' };
  return failure(response);
}

export function identifyAnswer(response: ApiResponse): ProbeAnswer {
  const body = response.body;
  if (response.status === 200 && Array.isArray(body?.candidates)) {
    const [top, next] = body.candidates as Array<{ user_info?: { id?: unknown }; distance?: unknown }>;
    if (!top) return { kind: 'no-match' };
    const answer = {
      kind: 'match',
      userId: String(top.user_info?.id),
      distance: Number(top.distance),
    } as const;
    return next ? { ...answer, runnerUp: Number(next.distance) } : answer;
  }
  return failure(response);
}

function failure(response: ApiResponse): ProbeAnswer {
  const code = errorCode(response);
  if (response.status === 400 && code === 601) return { kind: 'no-face' };
  return { kind: 'error', status: response.status, code };
}

/** The decision for a genuine probe: matched to the right user, to another user, or rejected. */
export type GenuineOutcome = 'correct' | 'wrong-user' | 'no-match' | 'no-face' | 'error';

const ACCEPT_ALL: Rule = { threshold: Infinity, margin: 0 };

/** Whether the rule accepts a nearest-user answer (the answer's own decision when no rule is given). */
function accepts(answer: { distance: number; runnerUp?: number }, rule: Rule): boolean {
  if (!(answer.distance <= rule.threshold)) return false;
  return answer.runnerUp === undefined || answer.runnerUp - answer.distance >= rule.margin;
}

export function genuineOutcome(
  answer: ProbeAnswer,
  expectedUserId: string | undefined,
  rule: Rule = ACCEPT_ALL,
): GenuineOutcome {
  if (answer.kind === 'match') {
    if (!accepts(answer, rule)) return 'no-match';
    return answer.userId === expectedUserId ? 'correct' : 'wrong-user';
  }
  return answer.kind;
}

/** The decision for an impostor probe: any match is a false acceptance. */
export type ImpostorOutcome = 'accepted' | 'no-match' | 'no-face' | 'error';

export function impostorOutcome(answer: ProbeAnswer, rule: Rule = ACCEPT_ALL): ImpostorOutcome {
  if (answer.kind === 'match') return accepts(answer, rule) ? 'accepted' : 'no-match';
  return answer.kind;
}

export function countBy<T extends string>(values: readonly T[]): Partial<Record<T, number>> {
  const counts: Partial<Record<T, number>> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

export interface Rates {
  threshold: number;
  margin: number;
  /** Genuine probes not matched to the right user (no match, wrong user, no face, errors) / all genuine probes. */
  frr: number;
  /** Genuine probes matched to a wrong user / all genuine probes (part of the FRR). */
  misidentification: number;
  /** Impostor probes matched to anyone / impostor probes in which a face was found. */
  far: number;
}

/** FRR and FAR under one rule from the "nearest" answers. */
export function ratesAt(
  genuine: readonly ProbeRecord[],
  impostor: readonly ProbeRecord[],
  rule: Rule,
): Rates {
  const g = genuine.map((p) =>
    genuineOutcome(p.nearest ?? { kind: 'error', status: 0 }, p.expectedUserId, rule),
  );
  const attempts = impostor.filter((p) => p.nearest?.kind !== 'no-face');
  const accepted = attempts.filter(
    (p) => impostorOutcome(p.nearest ?? { kind: 'error', status: 0 }, rule) === 'accepted',
  );
  return {
    ...rule,
    frr: g.length > 0 ? g.filter((o) => o !== 'correct').length / g.length : Number.NaN,
    misidentification: g.length > 0 ? g.filter((o) => o === 'wrong-user').length / g.length : Number.NaN,
    far: attempts.length > 0 ? accepted.length / attempts.length : Number.NaN,
  };
}

/** Thresholds 0, step, 2·step, … max. */
export function thresholdGrid(max: number, step: number): number[] {
  const grid: number[] = [];
  for (let i = 0; i * step <= max + 1e-12; i++) grid.push(Math.round(i * step * 1e6) / 1e6);
  return grid;
}

/** Where the two error rates are closest on the grid (the equal error rate, approximately). */
export function equalErrorPoint(curve: readonly Rates[]): Rates | undefined {
  let best: Rates | undefined;
  for (const r of curve) if (!best || Math.abs(r.frr - r.far) < Math.abs(best.frr - best.far)) best = r;
  return best;
}
