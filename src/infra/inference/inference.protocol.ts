/**
 * Messages between the inference pool (main thread) and its workers. Type-only, so the worker
 * imports nothing that needs Nest or decorator metadata.
 */

export type ModelName = 'detector' | 'landmarks' | 'embedder';

export interface TensorData {
  data: Float32Array;
  dims: number[];
}

export type NamedTensors = Record<string, TensorData>;

export interface WorkerModel {
  name: ModelName;
  path: string;
  /** Input fed with zeros once after loading, so the first request does not pay for allocation. */
  warmup: { input: string; dims: number[] };
}

export interface WorkerInit {
  models: WorkerModel[];
  threads: number;
}

export interface RunRequest {
  type: 'run';
  id: number;
  model: ModelName;
  inputs: NamedTensors;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; model: ModelName; path: string; message: string }
  | { type: 'result'; id: number; outputs: NamedTensors }
  | { type: 'error'; id: number; message: string };

/** The distinct ArrayBuffers behind some tensors, for a postMessage transfer list. */
export function transferList(tensors: NamedTensors): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { data } of Object.values(tensors)) {
    if (data.buffer instanceof ArrayBuffer) buffers.add(data.buffer);
  }
  return [...buffers];
}
