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

  it('verifies a pair at or below the threshold', () => {
    const p = policy({ MATCH_THRESHOLD: '0.1' });
    expect(p.verifies(0.1)).toBe(true);
    expect(p.verifies(0.1001)).toBe(false);
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
