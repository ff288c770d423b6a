/**
 * Messages between the inference pool (main thread) and its workers. Type-only, so the worker
 * imports nothing that needs Nest or decorator metadata.
 */

export type ModelName = 'detector' | 'landmarks' | 'embedder';

/**
 * A tensor on the wire. The models take float32, but image inputs (values 0..255) may travel as
 * bytes: a quarter of the memory for the event loop to allocate and collect, with the widening
 * done in the worker.
 */
export interface TensorData<T extends Float32Array | Uint8Array = Float32Array | Uint8Array> {
  data: T;
  dims: number[];
}

export type NamedTensors<T extends Float32Array | Uint8Array = Float32Array | Uint8Array> = Record<
  string,
  TensorData<T>
>;

/** What the models return: always float32. */
export type OutputTensors = NamedTensors<Float32Array>;

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
  | { type: 'result'; id: number; outputs: OutputTensors }
  | { type: 'error'; id: number; message: string };

/**
 * The ArrayBuffers to move rather than copy in a postMessage. Only buffers a tensor spans
 * entirely qualify: a view into a larger buffer (a Buffer pool slab) would detach its neighbours.
 */
export function transferList(tensors: NamedTensors): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { data } of Object.values(tensors)) {
    if (
      data.buffer instanceof ArrayBuffer &&
      data.byteOffset === 0 &&
      data.byteLength === data.buffer.byteLength
    ) {
      buffers.add(data.buffer);
    }
  }
  return [...buffers];
}
