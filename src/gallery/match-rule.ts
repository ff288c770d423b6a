import type { AppConfig } from '../config/app-config.js';
import type { MatchingSpec } from '../face/model-profile.js';

/** The distances the service decides with, after the environment's overrides. */
export interface MatchRule {
  /** 1:N: the nearest user must be at most this far. */
  threshold: number;
  /** 1:N: and at least this much closer than the runner-up. */
  margin: number;
  /** 1:1: two faces at most this far apart are the same person. */
  verifyThreshold: number;
  /** Enrolment refuses a face this close to another user (with the same margin). */
  enrolmentThreshold: number;
}

/**
 * `MATCH_THRESHOLD`, `MATCH_MARGIN`, `VERIFY_THRESHOLD` and `ENROL_DUPLICATE_THRESHOLD` where set,
 * else the serving profile's calibrated values; a profile without the 1:1 or enrolment figures
 * uses its 1:N threshold for them.
 */
export function effectiveRule(config: AppConfig, profile: MatchingSpec): MatchRule {
  const m = config.matching;
  const threshold = m.threshold ?? profile.threshold;
  return {
    threshold,
    margin: m.margin ?? profile.margin,
    verifyThreshold: m.verifyThreshold ?? profile.verifyThreshold ?? threshold,
    enrolmentThreshold: m.enrolmentThreshold ?? profile.enrolmentThreshold ?? threshold,
  };
}
