import { iou } from '../../../face/box.js';
import type { Box } from '../../../face/face.types.js';

/**
 * How a source image was placed into the detector's square input. Normally (`fill` 1) it is
 * scaled so its longer side fills `inputSize`, anchored top-left, the rest zero — face-api's
 * `padToSquare` without centring. With `fill` < 1 it is shrunk further and centred, which gives
 * the SSD the context it needs to find a face that fills a tightly cropped photo. The scale is
 * kept per axis because the resized size is rounded to whole pixels.
 */
export interface Letterbox {
  inputSize: number;
  imageWidth: number;
  imageHeight: number;
  /** Size of the resized image inside the square input. */
  resizedWidth: number;
  resizedHeight: number;
  /** Top-left corner of the resized image inside the square input. */
  offsetX: number;
  offsetY: number;
}

export interface ScoredBox {
  box: Box;
  score: number;
}

export interface SsdDecodeOptions {
  minScore: number;
  minFaceSize: number;
  iouThreshold?: number;
  maxResults?: number;
}

export function letterbox(imageWidth: number, imageHeight: number, inputSize: number, fill = 1): Letterbox {
  const target = Math.max(1, Math.round(inputSize * fill));
  const scale = target / Math.max(imageWidth, imageHeight);
  const resizedWidth = Math.min(target, Math.max(1, Math.round(imageWidth * scale)));
  const resizedHeight = Math.min(target, Math.max(1, Math.round(imageHeight * scale)));
  const centred = fill < 1;
  return {
    inputSize,
    imageWidth,
    imageHeight,
    resizedWidth,
    resizedHeight,
    offsetX: centred ? Math.floor((inputSize - resizedWidth) / 2) : 0,
    offsetY: centred ? Math.floor((inputSize - resizedHeight) / 2) : 0,
  };
}

/**
 * Greedy non-maximum suppression: visit candidates from the highest score down and keep one
 * unless it overlaps an already kept box by more than `iouThreshold`. This is the variant
 * face-api's SSD uses (threshold 0.5), so the same anchors survive as there.
 */
export function nonMaxSuppression<T extends ScoredBox>(
  candidates: T[],
  iouThreshold = 0.5,
  maxResults = 100,
): T[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const candidate of sorted) {
    if (kept.length >= maxResults) break;
    if (kept.every((k) => iou(k.box, candidate.box) <= iouThreshold)) kept.push(candidate);
  }
  return kept;
}

/** Clips a box to the image; returns a zero-sized box when they do not overlap. */
export function clampBox(box: Box, width: number, height: number): Box {
  const x0 = Math.min(Math.max(box.x, 0), width);
  const y0 = Math.min(Math.max(box.y, 0), height);
  const x1 = Math.min(Math.max(box.x + box.width, 0), width);
  const y1 = Math.min(Math.max(box.y + box.height, 0), height);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/**
 * Turns the SSD's raw outputs — `boxes` as (ymin, xmin, ymax, xmax) normalised to the padded
 * square and one score per anchor — into faces in source-image pixels: score filter, NMS,
 * clamping to the image, minimum size, then largest first (the usual "main face" is first).
 */
export function decodeSsdOutput(
  boxes: Float32Array,
  scores: Float32Array,
  geometry: Letterbox,
  options: SsdDecodeOptions,
): ScoredBox[] {
  const { inputSize, imageWidth, imageHeight, resizedWidth, resizedHeight, offsetX, offsetY } = geometry;
  // Normalised square coordinates → source pixels, per axis (resizedWidth / imageWidth is the scale).
  const sx = imageWidth / resizedWidth;
  const sy = imageHeight / resizedHeight;

  const candidates: ScoredBox[] = [];
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i] ?? 0;
    if (!(score >= options.minScore)) continue;
    const ymin = boxes[i * 4] ?? 0;
    const xmin = boxes[i * 4 + 1] ?? 0;
    const ymax = boxes[i * 4 + 2] ?? 0;
    const xmax = boxes[i * 4 + 3] ?? 0;
    const x0 = (Math.min(xmin, xmax) * inputSize - offsetX) * sx;
    const y0 = (Math.min(ymin, ymax) * inputSize - offsetY) * sy;
    const box = {
      x: x0,
      y: y0,
      width: Math.abs(xmax - xmin) * inputSize * sx,
      height: Math.abs(ymax - ymin) * inputSize * sy,
    };
    candidates.push({ box, score });
  }

  return nonMaxSuppression(candidates, options.iouThreshold ?? 0.5, options.maxResults ?? 100)
    .map(({ box, score }) => ({ box: clampBox(box, imageWidth, imageHeight), score }))
    .filter(({ box }) => Math.min(box.width, box.height) >= options.minFaceSize)
    .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height || b.score - a.score);
}
