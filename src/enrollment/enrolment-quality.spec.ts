import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import { checkEnrolmentQuality } from './enrolment-quality.js';

describe('checkEnrolmentQuality', () => {
  const limits = loadConfig({}).enrollment;
  const good = { faceSize: 100, yaw: 10, sharpness: 300 };

  it('accepts a frontal, sharp, large enough face (the defaults: 32 px, 40°, sharpness 40)', () => {
    expect(limits).toEqual({ minFaceSize: 32, maxYaw: 40, minSharpness: 40 });
    expect(() => checkEnrolmentQuality(good, limits)).not.toThrow();
    expect(() => checkEnrolmentQuality({ faceSize: 32, yaw: -40, sharpness: 40 }, limits)).not.toThrow();
  });

  it.each([
    [{ faceSize: 20 }, 602, /Face too small to enrol: 20 px, at least 32 px needed/],
    [{ yaw: -55.4 }, 603, /Face turned too far to enrol: about 55° from frontal, at most 40° accepted/],
    [{ sharpness: 12.2 }, 604, /Face too blurred to enrol: sharpness 12, at least 40 needed/],
  ])('refuses %o with code %s and says why', (bad, code, message) => {
    const attempt = () => checkEnrolmentQuality({ ...good, ...bad }, limits);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(expect.objectContaining({ httpStatus: 400, errorCode: code }));
  });

  it('can be relaxed by configuration', () => {
    const relaxed = loadConfig({ ENROLL_MAX_YAW: '90', ENROLL_MIN_SHARPNESS: '0' }).enrollment;
    expect(() => checkEnrolmentQuality({ ...good, yaw: 80, sharpness: 0 }, relaxed)).not.toThrow();
  });
});
