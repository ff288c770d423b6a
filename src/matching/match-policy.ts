import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { MatchingSpec } from '../face/model-profile.js';
import { GalleryModels } from '../gallery/gallery-models.service.js';

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
 * Turns distances into answers. Verification (1:1) compares one distance with the threshold.
 * Identification (1:N: recognise_user, identify, enrolment's duplicate check) also asks for a
 * margin: the nearest user must be at least `margin` closer than the runner-up. In a gallery of
 * thousands a stranger's face is usually within the threshold of someone — several people at
 * once, at about the same distance — while a genuine match stands clear of the rest. On LFW's
 * identification protocol (docs/benchmarks.md) the margin is what keeps false accepts low.
 */
/** `MATCH_THRESHOLD` and `MATCH_MARGIN` where set, else the serving profile's calibrated values. */
export function effectiveRule(config: AppConfig, profile: MatchingSpec): { threshold: number; margin: number } {
  return {
    threshold: config.matching.threshold ?? profile.threshold,
    margin: config.matching.margin ?? profile.margin,
  };
}

@Injectable()
export class MatchPolicy {
  constructor(
    private readonly config: AppConfig,
    private readonly gallery: GalleryModels,
  ) {}

  get threshold(): number {
    return effectiveRule(this.config, this.gallery.serving().profile.matching).threshold;
  }

  get margin(): number {
    return effectiveRule(this.config, this.gallery.serving().profile.matching).margin;
  }

  /** How far a 1:N search must reach so that the runner-up of an accepted match is seen. */
  get searchRadius(): number {
    return this.threshold + this.margin;
  }

  verifies(distance: number): boolean {
    return distance <= this.threshold;
  }

  /** The 1:N decision over users sorted nearest first (one entry per user, within `searchRadius`). */
  decide<T extends { distance: number }>(nearestUsers: readonly T[]): MatchDecision<T> {
    const [best, runnerUp] = nearestUsers;
    if (!best || best.distance > this.threshold) return { ambiguous: false };
    if (runnerUp && runnerUp.distance - best.distance < this.margin) return { ambiguous: true };
    return { match: best, ambiguous: false };
  }
}
