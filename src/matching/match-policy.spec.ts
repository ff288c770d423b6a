import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import type { GalleryModels } from '../gallery/gallery-models.service.js';
import { MatchPolicy } from './match-policy.js';

/** A policy over a serving profile calibrated at `profile` (threshold 0.4, margin 0.03 unless given). */
function policy(env: Record<string, string>, profile = { threshold: 0.4, margin: 0.03 }): MatchPolicy {
  const gallery = { serving: () => ({ profile: { matching: profile } }) } as unknown as GalleryModels;
  return new MatchPolicy(loadConfig(env), gallery);
}

const user = (id: string, distance: number) => ({ id, distance });

describe('MatchPolicy', () => {
  it("takes MATCH_THRESHOLD and MATCH_MARGIN first, then the serving profile's calibrated values", () => {
    expect(policy({ MATCH_THRESHOLD: '0.2' }).threshold).toBe(0.2);
    expect(policy({ MATCH_THRESHOLD: '0.2' }).margin).toBe(0.03);
    expect(policy({}, { threshold: 0.09, margin: 0.01 }).threshold).toBe(0.09);
    expect(policy({ MATCH_MARGIN: '0' }).margin).toBe(0);
    expect(policy({ MATCH_THRESHOLD: '0.1', MATCH_MARGIN: '0.02' }).searchRadius).toBeCloseTo(0.12, 10);
  });

  it('verifies a pair at or below the 1:1 threshold, which defaults to the 1:N one', () => {
    const p = policy({ MATCH_THRESHOLD: '0.1' });
    expect(p.verifies(0.1)).toBe(true);
    expect(p.verifies(0.1001)).toBe(false);
    const calibrated = policy({}, { threshold: 0.41, margin: 0.02, verifyThreshold: 0.6 } as never);
    expect(calibrated.verifies(0.55)).toBe(true);
    expect(calibrated.decide([user('a', 0.55)])).toEqual({ ambiguous: false });
    expect(
      policy({ VERIFY_THRESHOLD: '0.3' }, { threshold: 0.41, margin: 0.02, verifyThreshold: 0.6 } as never)
        .verifyThreshold,
    ).toBe(0.3);
  });

  it('refuses an enrolment as a duplicate only within the (stricter) enrolment threshold', () => {
    const p = policy({}, { threshold: 0.41, margin: 0.02, enrolmentThreshold: 0.38 } as never);
    expect(p.duplicateOf([user('a', 0.37)])).toEqual(user('a', 0.37));
    expect(p.duplicateOf([user('a', 0.39)])).toBeUndefined();
    expect(p.decide([user('a', 0.39)]).match).toEqual(user('a', 0.39));
    // Two people as close: not a duplicate of either.
    expect(p.duplicateOf([user('a', 0.2), user('b', 0.21)])).toBeUndefined();
    expect(p.searchRadius).toBeCloseTo(0.43, 10);
    // ENROL_DUPLICATE_THRESHOLD=0 turns the check off.
    expect(policy({ ENROL_DUPLICATE_THRESHOLD: '0' }).duplicateOf([user('a', 0.01)])).toBeUndefined();
  });

  it('accepts the nearest user only when within the threshold and clear of the runner-up', () => {
    const p = policy({ MATCH_THRESHOLD: '0.1', MATCH_MARGIN: '0.02' });
    expect(p.decide([])).toEqual({ ambiguous: false });
    expect(p.decide([user('a', 0.05)])).toEqual({ match: user('a', 0.05), ambiguous: false });
    expect(p.decide([user('a', 0.05), user('b', 0.07)])).toEqual({
      match: user('a', 0.05),
      ambiguous: false,
    });
    expect(p.decide([user('a', 0.05), user('b', 0.069)])).toEqual({ ambiguous: true });
    // The runner-up counts even beyond the threshold: a face this close to two people is a guess.
    expect(p.decide([user('a', 0.095), user('b', 0.105)])).toEqual({ ambiguous: true });
    expect(p.decide([user('a', 0.11)])).toEqual({ ambiguous: false });
  });

  it('with a zero margin is a plain nearest-neighbour threshold', () => {
    const p = policy({ MATCH_THRESHOLD: '0.1', MATCH_MARGIN: '0' });
    expect(p.decide([user('a', 0.05), user('b', 0.05)]).match).toEqual(user('a', 0.05));
  });
});
