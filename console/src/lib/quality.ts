import type { Schemas } from './api.js';

export type Level = 'ok' | 'warn' | 'error';
export interface Verdict {
  level: Level;
  text: string;
}

type Detection = Schemas['DetectFacesResponseDto'];
type Gate = Schemas['EnrolmentGateDto'];

/**
 * What enrolment would say about a photo, from faces/detect and the gate the service reports
 * (GET /models): the same checks, in the same order, as the service's refusals 601–604, so a bad
 * photo is caught before it is uploaded for enrolment. The service still decides.
 */
export function assessForEnrolment(detection: Detection, gate: Gate): Verdict[] {
  const [face] = detection.faces; // main face first, the one enrolment uses
  if (!face)
    return [{ level: 'error', text: 'No face found in this photo (the service would refuse it: 601)' }];
  const verdicts: Verdict[] = [];
  if (detection.faces.length > 1) {
    verdicts.push({
      level: 'warn',
      text: `${detection.faces.length} faces in this photo: only the main one (large and nearest the centre) will be enrolled`,
    });
  }
  const q = face.quality;
  if (q.face_size < gate.min_face_size) {
    verdicts.push({
      level: 'error',
      text: `Face too small: ${q.face_size} px, at least ${gate.min_face_size} px needed (602)`,
    });
  } else if (Math.abs(q.yaw) > gate.max_yaw) {
    verdicts.push({
      level: 'error',
      text: `Head turned too far: about ${Math.round(Math.abs(q.yaw))}°, at most ${gate.max_yaw}° (603)`,
    });
  } else if (gate.min_sharpness > 0 && q.sharpness < gate.min_sharpness) {
    verdicts.push({
      level: 'error',
      text: `Face too blurred: sharpness ${Math.round(q.sharpness)}, at least ${gate.min_sharpness} needed (604)`,
    });
  } else {
    verdicts.push({
      level: 'ok',
      text: `Good photo: face ${q.face_size} px, sharpness ${Math.round(q.sharpness)}, turned ${Math.round(Math.abs(q.yaw))}°`,
    });
  }
  return verdicts;
}

export function worst(verdicts: Verdict[]): Level {
  if (verdicts.some((v) => v.level === 'error')) return 'error';
  return verdicts.some((v) => v.level === 'warn') ? 'warn' : 'ok';
}
