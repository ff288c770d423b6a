import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { GalleryModels } from '../gallery/gallery-models.service.js';
import { effectiveRule, type MatchRule } from '../gallery/match-rule.js';

export interface MatchDecision<T> {
  /** The accepted user, when there is one. */
  match?: T;
  /**
   * True when the nearest user is within the threshold but another user is within `margin` of it:
   * the face is as close to a second person, so naming either would be a guess.
   */
  ambiguous: boolean;
}

/**
 * Turns distances into answers. Verification (1:1) compares one distance with its threshold,
 * calibrated for best accuracy on LFW's pairs. Identification (1:N: recognise_user, identify)
 * uses a stricter threshold — a stranger is compared with every enrolled face, so each comparison
 * must accept less — and a margin: the nearest user must be at least `margin` closer than the
 * runner-up, because a face about as close to two people is a guess. Enrolment's duplicate check
 * is stricter still, so that distinct look-alikes can be enrolled (docs/benchmarks.md measures
 * all three on LFW).
 */
@Injectable()
export class MatchPolicy {
  constructor(
    private readonly config: AppConfig,
    private readonly gallery: GalleryModels,
  ) {}

  get rule(): MatchRule {
    return effectiveRule(this.config, this.gallery.serving().profile.matching);
  }

  get threshold(): number {
    return this.rule.threshold;
  }

  get margin(): number {
    return this.rule.margin;
  }

  get verifyThreshold(): number {
    return this.rule.verifyThreshold;
  }

  /** How far a 1:N search must reach so that the runner-up of an accepted match is seen. */
  get searchRadius(): number {
    const { threshold, enrolmentThreshold, margin } = this.rule;
    return Math.max(threshold, enrolmentThreshold) + margin;
  }

  verifies(distance: number): boolean {
    return distance <= this.verifyThreshold;
  }

  /** The 1:N decision over users sorted nearest first (one entry per user, within `searchRadius`). */
  decide<T extends { distance: number }>(nearestUsers: readonly T[]): MatchDecision<T> {
    return decideWith(nearestUsers, this.threshold, this.margin);
  }

  /** The user a face to enrol already belongs to, if any (same rule, enrolment threshold). */
  duplicateOf<T extends { distance: number }>(nearestUsers: readonly T[]): T | undefined {
    return decideWith(nearestUsers, this.rule.enrolmentThreshold, this.margin).match;
  }
}

function decideWith<T extends { distance: number }>(
  nearestUsers: readonly T[],
  threshold: number,
  margin: number,
): MatchDecision<T> {
  const [best, runnerUp] = nearestUsers;
  if (!best || best.distance > threshold) return { ambiguous: false };
  if (runnerUp && runnerUp.distance - best.distance < margin) return { ambiguous: true };
  return { match: best, ambiguous: false };
}
