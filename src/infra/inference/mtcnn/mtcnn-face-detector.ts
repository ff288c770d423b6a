import sharp from 'sharp';
import { type DetectOptions, FaceDetector } from '../../../face/face.ports.js';
import type { DetectedFace, RgbImage } from '../../../face/face.types.js';
import type { MtcnnDetectorSpec } from '../../../face/model-profile.js';
import type { InferencePool } from '../inference-pool.js';
import type { MtcnnFace, MtcnnModels } from './mtcnn-cascade.js';

/** P-Net's window: a face smaller than this (after any downscaling) cannot be found. */
const SMALLEST_WINDOW = 12;

/**
 * MTCNN behind the `FaceDetector` port. The cascade runs inside an inference worker (one task
 * per image); this side only bounds the image it sends — larger uploads are shrunk by libvips
 * (off the event loop) so the pyramid's cost stays bounded — and maps the faces back.
 */
export class MtcnnFaceDetector extends FaceDetector {
  constructor(
    private readonly pool: InferencePool,
    private readonly spec: MtcnnDetectorSpec,
    private readonly models: MtcnnModels,
    readonly modelId: string,
  ) {
    super();
  }

  async detect(image: RgbImage, options: DetectOptions = {}): Promise<DetectedFace[]> {
    const scale = Math.min(1, this.spec.maxImageSide / Math.max(image.width, image.height));
    const working = scale < 1 ? await shrink(image, scale) : copy(image);
    const sx = image.width / working.width;
    const sy = image.height / working.height;
    const [t1, t2, t3] = this.spec.thresholds;
    // The profile's smallest face is in pixels of the (shrunk) image the cascade sees, which is what
    // bounds its cost; a caller's own minimum is in pixels of the upload.
    const minFaceSize = Math.max(SMALLEST_WINDOW, this.spec.minFaceSize, (options.minFaceSize ?? 0) / sx);
    const faces = await this.pool.detectMtcnn(
      working,
      {
        thresholds: [t1, t2, options.minScore ?? t3],
        scaleFactor: this.spec.scaleFactor,
        minFaceSize,
      },
      this.models,
    );
    return faces
      .slice(0, options.maxFaces ?? faces.length)
      .map((face) => toDetectedFace(face, sx, sy, image.width, image.height));
  }
}

function toDetectedFace(
  face: MtcnnFace,
  sx: number,
  sy: number,
  width: number,
  height: number,
): DetectedFace {
  const x1 = Math.max(0, face.x1 * sx);
  const y1 = Math.max(0, face.y1 * sy);
  const x2 = Math.min(width, face.x2 * sx);
  const y2 = Math.min(height, face.y2 * sy);
  const landmarks = face.landmarks.map((p) => ({ x: p.x * sx, y: p.y * sy }));
  return {
    box: { x: x1, y: y1, width: Math.max(0, x2 - x1), height: Math.max(0, y2 - y1) },
    score: face.score,
    landmarks,
    landmarks5: landmarks,
  };
}

/** A copy the pool can transfer to the worker without detaching the caller's image. */
function copy(image: RgbImage): { data: Uint8Array; width: number; height: number } {
  return { data: image.data.slice(), width: image.width, height: image.height };
}

async function shrink(
  image: RgbImage,
  scale: number,
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // A fresh buffer sized to the pixels, so the transfer does not detach a shared pool slab.
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}
