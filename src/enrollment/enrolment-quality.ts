import { DomainError } from '../common/domain-error.js';
import type { EnrollmentConfig } from '../config/app-config.js';

/**
 * The enrolment quality gate. A gallery photo is compared with every later probe, so a poor one
 * costs recognitions for as long as it is enrolled: on LFW (docs/benchmarks.md) people enrolled
 * from a photo with the head turned more than 40° were later missed 45 % of the time (6.4 % for
 * the rest), from a blurred one (sharpness < 40) 20 %. Each refusal has its own stable code.
 */
export class FaceTooSmallError extends DomainError {
  constructor(size: number, min: number) {
    super(400, 602, `Face too small to enrol: ${Math.round(size)} px, at least ${min} px needed`);
  }
}

export class FaceTurnedError extends DomainError {
  constructor(yaw: number, max: number) {
    super(
      400,
      603,
      `Face turned too far to enrol: about ${Math.round(Math.abs(yaw))}° from frontal, at most ${max}° accepted; use a photo facing the camera`,
    );
  }
}

export class FaceBlurredError extends DomainError {
  constructor(sharpness: number, min: number) {
    super(
      400,
      604,
      `Face too blurred to enrol: sharpness ${Math.round(sharpness)}, at least ${min} needed; use a sharper photo`,
    );
  }
}

export interface EnrolmentQuality {
  faceSize: number;
  yaw: number;
  sharpness: number;
}

/** Throws the refusal for the first measure out of bounds. */
export function checkEnrolmentQuality(quality: EnrolmentQuality, limits: EnrollmentConfig): void {
  if (quality.faceSize < limits.minFaceSize)
    throw new FaceTooSmallError(quality.faceSize, limits.minFaceSize);
  if (Math.abs(quality.yaw) > limits.maxYaw) throw new FaceTurnedError(quality.yaw, limits.maxYaw);
  if (quality.sharpness < limits.minSharpness)
    throw new FaceBlurredError(quality.sharpness, limits.minSharpness);
}
