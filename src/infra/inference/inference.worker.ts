import * as ort from 'onnxruntime-node';
import { parentPort, workerData } from 'node:worker_threads';
import {
  type InputPreparation,
  type ModelName,
  type NamedTensors,
  type OutputTensors,
  transferList,
  type WorkerInit,
  type WorkerMessage,
  type WorkerRequest,
} from './inference.protocol.js';
import { detectMtcnn } from './mtcnn/mtcnn-cascade.js';

/**
 * Hosts the ONNX Runtime sessions. ORT's `run()` does its native work on the calling JS thread,
 * so it lives here, off the server's event loop, together with the work that surrounds a run
 * (widening and normalising image bytes, MTCNN's pyramid and crops). The pool sends one task at
 * a time; inputs and outputs travel as transferred buffers.
 */

const port = parentPort;
if (!port) throw new Error('inference.worker must run in a worker thread');
const init = workerData as WorkerInit;
const sessions = new Map<ModelName, ort.InferenceSession>();

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function boot(): Promise<void> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: init.threads,
    interOpNumThreads: 1,
  };
  for (const model of init.models) {
    try {
      const session = await ort.InferenceSession.create(model.path, options);
      const { input, dims } = model.warmup;
      const size = dims.reduce((a, b) => a * b, 1);
      await session.run({ [input]: new ort.Tensor('float32', new Float32Array(size), dims) });
      sessions.set(model.name, session);
    } catch (err) {
      post({ type: 'init-error', model: model.name, path: model.path, message: errorMessage(err) });
      return;
    }
  }
  post({ type: 'ready' });
}

async function runModel(
  model: ModelName,
  inputs: NamedTensors,
  prepare?: InputPreparation,
): Promise<OutputTensors> {
  const session = sessions.get(model);
  if (!session) throw new Error(`Model '${model}' is not loaded`);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, { data, dims }] of Object.entries(inputs)) {
    feeds[name] = prepare
      ? prepared(data, dims, prepare)
      : new ort.Tensor('float32', data instanceof Float32Array ? data : new Float32Array(data), dims);
  }
  const results = await session.run(feeds);
  const outputs: OutputTensors = {};
  for (const [name, tensor] of Object.entries(results)) {
    // Copy into a fresh buffer we own: ORT may hand out views it manages, which cannot be transferred.
    outputs[name] = { data: new Float32Array(tensor.data as Float32Array), dims: [...tensor.dims] };
  }
  return outputs;
}

/** NHWC RGB 0..255 → the model's layout, channel order and normalisation. */
function prepared(data: ArrayLike<number>, dims: number[], prep: InputPreparation): ort.Tensor {
  const [n = 1, h = 1, w = 1, c = 3] = dims;
  const out = new Float32Array(n * h * w * c);
  const order = prep.channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const plane = h * w;
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < plane; p++) {
      const src = (b * plane + p) * c;
      for (let k = 0; k < c; k++) {
        const from = order[k]!;
        const value = (data[src + from]! - prep.mean[k]!) / prep.std[k]!;
        out[prep.layout === 'NHWC' ? src + k : (b * c + k) * plane + p] = value;
      }
    }
  }
  return new ort.Tensor('float32', out, prep.layout === 'NHWC' ? [n, h, w, c] : [n, c, h, w]);
}

async function handle(request: WorkerRequest): Promise<void> {
  try {
    if (request.type === 'run') {
      const outputs = await runModel(request.model, request.inputs, request.prepare);
      post(
        { type: 'result', id: request.id, value: outputs },
        transferList(Object.values(outputs).map((t) => t.data)),
      );
    } else {
      const faces = await detectMtcnn(request.image, request.params, request.models, (model, inputs) =>
        runModel(model, inputs),
      );
      post({ type: 'result', id: request.id, value: faces });
    }
  } catch (err) {
    post({ type: 'error', id: request.id, message: errorMessage(err) });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

port.on('message', (request: WorkerRequest) => void handle(request));

void boot();
