import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { types } from 'node:util';

import type * as FaceApiModule from '@vladmandic/face-api/dist/face-api.esm.js';

type FaceApi = typeof FaceApiModule;
type Tensor = FaceApiModule.tf.Tensor;

/** The parts of the bundled TF.js that face-api's type declarations leave out. */
interface TfRuntime {
  setPlatform(name: string, platform: object): void;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
}

/**
 * face-api's own TF.js implementation of each network, as the parity reference. It runs the
 * browser ESM bundle (TF.js plus its CPU backend) in Node: the bundle's Node platform needs
 * `util` through a `require` the bundler stubbed out, so Node is hidden from TF.js's platform
 * sniffing while the bundle evaluates and a small Node platform is installed afterwards.
 */
export class TfjsReference {
  private constructor(private readonly faceapi: FaceApi) {}

  static async load(faceApiDir: string): Promise<TfjsReference> {
    const bundle = pathToFileURL(path.join(faceApiDir, 'dist', 'face-api.esm.js')).href;
    const realProcess = globalThis.process;
    let faceapi: FaceApi;
    try {
      globalThis.process = { env: {} } as NodeJS.Process;
      faceapi = (await import(bundle)) as FaceApi;
    } finally {
      globalThis.process = realProcess;
    }
    const tf = faceapi.tf as unknown as TfRuntime;
    tf.setPlatform('node', {
      fetch: globalThis.fetch,
      now: () => performance.now(),
      encode: (text: string) => new TextEncoder().encode(text),
      decode: (bytes: Uint8Array, encoding: string) => new TextDecoder(encoding).decode(bytes),
      isTypedArray: (a: unknown) =>
        types.isFloat32Array(a) ||
        types.isInt32Array(a) ||
        types.isUint8Array(a) ||
        types.isUint8ClampedArray(a),
    });
    faceapi.env.initialize();
    await tf.setBackend('cpu');
    await tf.ready();

    const modelDir = path.join(faceApiDir, 'model');
    const { nets } = faceapi;
    for (const [net, name] of [
      [nets.ssdMobilenetv1, 'ssd_mobilenetv1_model'],
      [nets.faceLandmark68Net, 'face_landmark_68_model'],
      [nets.faceRecognitionNet, 'face_recognition_model'],
      [nets.tinyFaceDetector, 'tiny_face_detector_model'],
    ] as const) {
      // TF.js's own decodeWeights, so the converter's dequantisation is checked too.
      const groups = JSON.parse(await readFile(path.join(modelDir, `${name}-weights_manifest.json`), 'utf8'));
      const group = groups[0] as {
        paths: string[];
        weights: Parameters<typeof faceapi.tf.io.decodeWeights>[1];
      };
      const shards = await Promise.all(group.paths.map((p) => readFile(path.join(modelDir, p))));
      const bytes = Uint8Array.from(Buffer.concat(shards));
      net.loadFromWeightMap(faceapi.tf.io.decodeWeights(bytes.buffer, group.weights));
    }
    return new TfjsReference(faceapi);
  }

  /** SsdMobilenetv1.forwardInput on one 512×512 NHWC image. */
  async ssd(input: Float32Array): Promise<{ boxes: Float32Array; scores: Float32Array }> {
    const netInput = await this.faceapi.toNetInput(this.faceapi.tf.tensor4d(input, [1, 512, 512, 3]));
    const { boxes, scores } = this.faceapi.nets.ssdMobilenetv1.forwardInput(netInput);
    return { boxes: await data(boxes[0]!), scores: await data(scores[0]!) };
  }

  /** FaceLandmark68Net.runNet: the raw 136 outputs per 112×112 image, before postProcess. */
  async landmarks(input: Float32Array, batch: number): Promise<Float32Array> {
    const netInput = await this.faceapi.toNetInput(this.images(input, batch, 112));
    return data(this.faceapi.nets.faceLandmark68Net.runNet(netInput));
  }

  /** FaceRecognitionNet.forwardInput: the 128-D descriptor per 150×150 image. */
  async embedding(input: Float32Array, batch: number): Promise<Float32Array> {
    const netInput = await this.faceapi.toNetInput(this.images(input, batch, 150));
    return data(this.faceapi.nets.faceRecognitionNet.forwardInput(netInput));
  }

  /**
   * TinyFaceDetector.forwardInput + extractBoxes with no score threshold, i.e. every anchor in
   * (row, col, anchor) order, as (ymin, xmin, ymax, xmax) to match the ONNX layout.
   */
  async tinyFaceDetector(
    input: Float32Array,
    size: number,
  ): Promise<{ boxes: Float32Array; scores: Float32Array }> {
    const net = this.faceapi.nets.tinyFaceDetector;
    const netInput = await this.faceapi.toNetInput(this.faceapi.tf.tensor4d(input, [1, size, size, 3]));
    const out = net.forwardInput(netInput, size);
    // extractBoxes is protected in the typings; it is the exact decoding face-api applies.
    const extract = (net as unknown as { extractBoxes: ExtractBoxes }).extractBoxes.bind(net);
    const results = await extract(out, { width: size, height: size }, 0);
    const boxes = Float32Array.from(results.flatMap(({ box }) => [box.top, box.left, box.bottom, box.right]));
    return { boxes, scores: Float32Array.from(results, (r) => r.score) };
  }

  private images(input: Float32Array, batch: number, size: number): Tensor[] {
    const perImage = size * size * 3;
    return Array.from({ length: batch }, (_, i) =>
      this.faceapi.tf.tensor3d(input.subarray(i * perImage, (i + 1) * perImage), [size, size, 3]),
    );
  }
}

type ExtractBoxes = (
  out: Tensor,
  dimensions: { width: number; height: number },
  scoreThreshold: number,
) => Promise<Array<{ box: { top: number; left: number; bottom: number; right: number }; score: number }>>;

async function data(tensor: Tensor): Promise<Float32Array> {
  return Float32Array.from(await tensor.data());
}
