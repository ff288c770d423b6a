import { InferenceSession, Tensor } from 'onnxruntime-node';

import { resampleBox, resizeImage, type Box, type Point, type RgbImage } from './check-image.js';

/**
 * A minimal MTCNN cascade over the converted graphs (facenet's detect_face, simplified), used only
 * to check the conversion by behaviour. Feeds upright 0..255 crops: the graphs normalise and
 * transpose themselves.
 */
export interface DetectedFace {
  box: Box;
  score: number;
  /** Left eye, right eye, nose, left and right mouth corner (as seen in the image). */
  landmarks: Point[];
}

interface Candidate {
  box: Box;
  score: number;
  reg: number[];
}

const THRESHOLDS = [0.6, 0.7, 0.7] as const;
const PYRAMID_FACTOR = 0.709;

export class MtcnnCheck {
  private constructor(
    private readonly nets: { pnet: InferenceSession; rnet: InferenceSession; onet: InferenceSession },
  ) {}

  static async create(onnx: { pnet: Uint8Array; rnet: Uint8Array; onet: Uint8Array }): Promise<MtcnnCheck> {
    const options = { intraOpNumThreads: 1, interOpNumThreads: 1 };
    const [pnet, rnet, onet] = await Promise.all(
      [onnx.pnet, onnx.rnet, onnx.onet].map((bytes) => InferenceSession.create(bytes, options)),
    );
    return new MtcnnCheck({ pnet: pnet!, rnet: rnet!, onet: onet! });
  }

  async detect(img: RgbImage, minFace = 20): Promise<DetectedFace[]> {
    let boxes = await this.proposals(img, minFace);
    boxes = await this.refine(img, boxes);
    return this.output(img, boxes);
  }

  /** P-Net over the image pyramid: 12×12 windows, stride 2, at each scale. */
  private async proposals(img: RgbImage, minFace: number): Promise<Candidate[]> {
    const all: Candidate[] = [];
    for (let scale = 12 / minFace; Math.min(img.width, img.height) * scale >= 12; scale *= PYRAMID_FACTOR) {
      const w = Math.ceil(img.width * scale);
      const h = Math.ceil(img.height * scale);
      const input = await resizeImage(img, w, h);
      const out = await this.nets.pnet.run({ input: new Tensor('float32', input, [1, h, w, 3]) });
      const [, rows, cols] = out.prob!.dims as number[];
      const prob = out.prob!.data as Float32Array;
      const reg = out.reg!.data as Float32Array;
      const found: Candidate[] = [];
      for (let row = 0; row < rows!; row++)
        for (let col = 0; col < cols!; col++) {
          const cell = row * cols! + col;
          const score = prob[cell * 2 + 1]!;
          if (score < THRESHOLDS[0]) continue;
          // The window's position in the scaled image, back in image coordinates.
          const box: Box = [
            (2 * col) / scale,
            (2 * row) / scale,
            (2 * col + 12) / scale,
            (2 * row + 12) / scale,
          ];
          found.push({ box, score, reg: Array.from(reg.subarray(cell * 4, cell * 4 + 4)) });
        }
      all.push(...nms(found, 0.5, 'union'));
    }
    return nms(all, 0.7, 'union').map((c) => ({ ...c, box: square(regress(c)) }));
  }

  private async refine(img: RgbImage, boxes: Candidate[]): Promise<Candidate[]> {
    if (boxes.length === 0) return [];
    const out = await this.nets.rnet.run({ input: crops(img, boxes, 24) });
    const kept = scored(boxes, out.prob!.data as Float32Array, out.reg!.data as Float32Array, THRESHOLDS[1]);
    return nms(kept, 0.7, 'union').map((c) => ({ ...c, box: square(regress(c)) }));
  }

  private async output(img: RgbImage, boxes: Candidate[]): Promise<DetectedFace[]> {
    if (boxes.length === 0) return [];
    const out = await this.nets.onet.run({ input: crops(img, boxes, 48) });
    const prob = out.prob!.data as Float32Array;
    const reg = out.reg!.data as Float32Array;
    const points = out.landmarks!.data as Float32Array;
    const faces: DetectedFace[] = [];
    boxes.forEach(({ box }, i) => {
      const score = prob[i * 2 + 1]!;
      if (score < THRESHOLDS[2]) return;
      const [x1, y1, x2, y2] = box;
      // x1..x5 then y1..y5, fractions of the input box.
      const p = points.subarray(i * 10, i * 10 + 10);
      const landmarks = [0, 1, 2, 3, 4].map((k): Point => [
        x1 + (x2 - x1) * p[k]!,
        y1 + (y2 - y1) * p[k + 5]!,
      ]);
      faces.push({
        box: regress({ box, score, reg: Array.from(reg.subarray(i * 4, i * 4 + 4)) }),
        score,
        landmarks,
      });
    });
    return nms(faces, 0.7, 'min');
  }
}

function crops(img: RgbImage, boxes: Candidate[], size: number): Tensor {
  const data = new Float32Array(boxes.length * size * size * 3);
  boxes.forEach((c, i) => data.set(resampleBox(img, c.box, size), i * size * size * 3));
  return new Tensor('float32', data, [boxes.length, size, size, 3]);
}

function scored(boxes: Candidate[], prob: Float32Array, reg: Float32Array, threshold: number): Candidate[] {
  return boxes
    .map((c, i) => ({ box: c.box, score: prob[i * 2 + 1]!, reg: Array.from(reg.subarray(i * 4, i * 4 + 4)) }))
    .filter((c) => c.score >= threshold);
}

/** Applies the regression (dx1, dy1, dx2, dy2), in units of the box size. */
function regress({ box: [x1, y1, x2, y2], reg }: Candidate): Box {
  const w = x2 - x1;
  const h = y2 - y1;
  return [x1 + reg[0]! * w, y1 + reg[1]! * h, x2 + reg[2]! * w, y2 + reg[3]! * h];
}

/** The square of the box's longer side, same centre (facenet's rerec). */
function square([x1, y1, x2, y2]: Box): Box {
  const side = Math.max(x2 - x1, y2 - y1);
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  return [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2];
}

/** Greedy non-maximum suppression, best score first. */
function nms<T extends { box: Box; score: number }>(
  items: T[],
  threshold: number,
  mode: 'union' | 'min',
): T[] {
  const area = ([x1, y1, x2, y2]: Box) => Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const kept: T[] = [];
  for (const item of [...items].sort((a, b) => b.score - a.score)) {
    const overlaps = kept.some((k) => {
      const [ax1, ay1, ax2, ay2] = item.box;
      const [bx1, by1, bx2, by2] = k.box;
      const inter = area([Math.max(ax1, bx1), Math.max(ay1, by1), Math.min(ax2, bx2), Math.min(ay2, by2)]);
      const base =
        mode === 'union' ? area(item.box) + area(k.box) - inter : Math.min(area(item.box), area(k.box));
      return inter / base > threshold;
    });
    if (!overlaps) kept.push(item);
  }
  return kept;
}
