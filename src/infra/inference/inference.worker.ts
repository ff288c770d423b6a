import * as ort from 'onnxruntime-node';
import { parentPort, workerData } from 'node:worker_threads';
import {
  type ModelName,
  type OutputTensors,
  type RunRequest,
  transferList,
  type WorkerInit,
  type WorkerMessage,
} from './inference.protocol.js';

/**
 * Hosts the ONNX Runtime sessions. ORT's `run()` does its native work on the calling JS thread,
 * so it lives here, off the server's event loop. The pool sends one task at a time; inputs and
 * outputs travel as transferred buffers (no copies); byte inputs are widened to float32 here.
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

async function run(request: RunRequest): Promise<void> {
  const session = sessions.get(request.model);
  if (!session) {
    post({ type: 'error', id: request.id, message: `Model '${request.model}' is not loaded` });
    return;
  }
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, { data, dims }] of Object.entries(request.inputs)) {
      feeds[name] = new ort.Tensor(
        'float32',
        data instanceof Float32Array ? data : new Float32Array(data),
        dims,
      );
    }
    const results = await session.run(feeds);
    const outputs: OutputTensors = {};
    for (const [name, tensor] of Object.entries(results)) {
      // Copy into a fresh buffer we own: ORT may hand out views it manages, which cannot be transferred.
      outputs[name] = { data: new Float32Array(tensor.data as Float32Array), dims: [...tensor.dims] };
    }
    post({ type: 'result', id: request.id, outputs }, transferList(outputs));
  } catch (err) {
    post({ type: 'error', id: request.id, message: errorMessage(err) });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

port.on('message', (request: RunRequest) => {
  if (request.type === 'run') void run(request);
});

void boot();
