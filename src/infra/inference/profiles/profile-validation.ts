import type { ModelProfile } from '../../../face/model-profile.js';

/**
 * Checks a profile read from JSON field by field, so that a hand-written entry in
 * `models/profiles.json` fails at boot with the path of every bad field rather than with a
 * tensor-shape error on the first request.
 */
export function profileProblems(name: string, value: unknown): string[] {
  const problems: string[] = [];
  const at = (field: string) => `profile '${name}': ${field}`;
  const p = value as Partial<ModelProfile> | null;
  if (!isObject(p)) return [`profile '${name}' is not an object`];

  const text = (field: string, v: unknown) => {
    if (typeof v !== 'string' || v.length === 0) problems.push(`${at(field)} must be a non-empty string`);
  };
  const num = (field: string, v: unknown, min: number, max: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      problems.push(`${at(field)} must be a number from ${min} to ${max} (got ${JSON.stringify(v)})`);
    }
  };
  const triple = (field: string, v: unknown) => {
    if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      problems.push(`${at(field)} must be three numbers`);
    }
  };

  text('description', p.description);
  const d = p.detector;
  if (!isObject(d)) problems.push(`${at('detector')} is missing`);
  else if (d.family === 'mtcnn') {
    for (const net of ['pnet', 'rnet', 'onet'] as const) text(`detector.models.${net}`, d.models?.[net]);
    triple('detector.thresholds', d.thresholds);
    num('detector.scaleFactor', d.scaleFactor, 0.1, 0.95);
    num('detector.minFaceSize', d.minFaceSize, 8, 10_000);
    num('detector.maxImageSide', d.maxImageSide, 64, 20_000);
  } else if (d.family === 'ssd') {
    text('detector.model', d.model);
    text('detector.landmarks', d.landmarks);
    num('detector.minScore', d.minScore, 0, 1);
    num('detector.minFaceSize', d.minFaceSize, 1, 10_000);
  } else problems.push(`${at('detector.family')} must be 'mtcnn' or 'ssd'`);

  const e = p.embedder;
  if (!isObject(e)) problems.push(`${at('embedder')} is missing`);
  else {
    text('embedder.model', e.model);
    text('embedder.output', e.output);
    num('embedder.dimension', e.dimension, 2, 16_000);
    if (e.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(String(e.sha256)))
      problems.push(`${at('embedder.sha256')} must be 64 lowercase hex digits`);
    if (e.fixedBatch !== undefined) num('embedder.fixedBatch', e.fixedBatch, 1, 64);
    if (!isObject(e.input)) problems.push(`${at('embedder.input')} is missing`);
    else {
      text('embedder.input.name', e.input.name);
      if (e.input.layout !== 'NHWC' && e.input.layout !== 'NCHW')
        problems.push(`${at('embedder.input.layout')} must be 'NHWC' or 'NCHW'`);
      if (e.input.channels !== 'RGB' && e.input.channels !== 'BGR')
        problems.push(`${at('embedder.input.channels')} must be 'RGB' or 'BGR'`);
      triple('embedder.input.mean', e.input.mean);
      triple('embedder.input.std', e.input.std);
      if (Array.isArray(e.input.std) && e.input.std.some((s) => s === 0))
        problems.push(`${at('embedder.input.std')} must not contain 0`);
    }
  }

  const c = p.chip;
  if (!isObject(c)) problems.push(`${at('chip')} is missing`);
  else {
    num('chip.size', c.size, 16, 1024);
    if (c.alignment === 'five-point') {
      const ok =
        Array.isArray(c.template) &&
        c.template.length === 5 &&
        c.template.every((pt) => Array.isArray(pt) && pt.length === 2 && pt.every(Number.isFinite));
      if (!ok) problems.push(`${at('chip.template')} must be five [x, y] points in chip pixels`);
    } else if (c.alignment === 'dlib-68') num('chip.padding', c.padding, 0, 2);
    else problems.push(`${at('chip.alignment')} must be 'five-point' or 'dlib-68'`);
  }
  if (isObject(d) && isObject(c) && d.family === 'mtcnn' && c.alignment === 'dlib-68')
    problems.push(`${at('chip.alignment')} 'dlib-68' needs 68 landmarks; MTCNN gives five`);

  if (typeof p.flip !== 'boolean') problems.push(`${at('flip')} must be true or false`);
  if (!isObject(p.matching)) problems.push(`${at('matching')} is missing`);
  else {
    num('matching.threshold', p.matching.threshold, 0, 2);
    num('matching.margin', p.matching.margin, 0, 2);
    if (p.matching.verifyThreshold !== undefined)
      num('matching.verifyThreshold', p.matching.verifyThreshold, 0, 2);
    if (p.matching.enrolmentThreshold !== undefined)
      num('matching.enrolmentThreshold', p.matching.enrolmentThreshold, 0, 2);
  }
  if (!isObject(p.licence)) problems.push(`${at('licence')} is missing`);
  else {
    text('licence.summary', p.licence.summary);
    if (typeof p.licence.commercialUse !== 'boolean')
      problems.push(`${at('licence.commercialUse')} must be true or false`);
  }
  if (!Array.isArray(p.sources)) problems.push(`${at('sources')} must be a list (may be empty)`);
  return problems;
}

function isObject<T>(value: T): value is NonNullable<T> & object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
