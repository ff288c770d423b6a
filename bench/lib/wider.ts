import { readFileSync } from 'node:fs';
import { iou } from '../../src/face/box.js';
import type { Box } from '../../src/face/face.types.js';

export interface GroundTruthImage {
  file: string;
  boxes: Box[];
}

/**
 * WIDER FACE ground truth: an image path line, a face-count line, then `x y w h [...]` per face
 * (extra attribute columns are ignored). An image with 0 faces is followed by one dummy line
 * in the official files; it is skipped.
 */
export function parseWiderGroundTruth(file: string): GroundTruthImage[] {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim());
  const images: GroundTruthImage[] = [];
  let i = 0;
  while (i < lines.length) {
    const name = lines[i++];
    if (!name) continue;
    const count = Number(lines[i++]);
    if (!Number.isInteger(count) || count < 0) throw new Error(`${file}:${i}: bad face count after ${name}`);
    const boxes: Box[] = [];
    for (let k = 0; k < Math.max(count, count === 0 ? 1 : 0); k++) {
      const f = (lines[i++] ?? '').split(/\s+/).map(Number);
      if (count === 0) break;
      const [x, y, width, height] = f;
      if ([x, y, width, height].some((v) => v === undefined || !Number.isFinite(v))) {
        throw new Error(`${file}:${i}: bad box line for ${name}`);
      }
      boxes.push({ x: x!, y: y!, width: width!, height: height! });
    }
    images.push({ file: name, boxes });
  }
  return images;
}

export interface MatchResult {
  /** Per ground-truth box: matched by some detection. */
  gtMatched: boolean[];
  /** Per detection: matched to some ground-truth box. */
  detMatched: boolean[];
}

/**
 * Greedy one-to-one matching: detections in descending score order each take the still
 * unmatched ground-truth box they overlap most, if that IoU reaches `minIou` (the PASCAL/WIDER
 * protocol without "ignore" regions).
 */
export function greedyMatch(
  detections: readonly { box: Box; score: number }[],
  truth: readonly Box[],
  minIou = 0.5,
): MatchResult {
  const gtMatched = truth.map(() => false);
  const order = detections.map((_, i) => i).sort((a, b) => detections[b]!.score - detections[a]!.score);
  const detMatched = detections.map(() => false);
  for (const d of order) {
    let best = -1;
    let bestIou = minIou;
    truth.forEach((gt, g) => {
      if (gtMatched[g]) return;
      const overlap = iou(detections[d]!.box, gt);
      if (overlap >= bestIou) {
        bestIou = overlap;
        best = g;
      }
    });
    if (best >= 0) {
      gtMatched[best] = true;
      detMatched[d] = true;
    }
  }
  return { gtMatched, detMatched };
}
