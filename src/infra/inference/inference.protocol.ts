/**
 * Messages between the inference pool (main thread) and its workers. Type-only, so the worker
 * imports nothing that needs Nest or decorator metadata.
 */
import type { MtcnnFace, MtcnnModels, MtcnnParams } from './mtcnn/mtcnn-cascade.js';

/** Models are addressed by their file's absolute path: two profiles sharing a file share a session. */
export type ModelName = string;

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

/**
 * How the worker turns an NHWC RGB image batch (0..255) into a model's input: per-channel
 * (value − mean) / std in the model's channel order and layout. Absent: the values are passed
 * as they are (graphs that normalise inside).
 */
export interface InputPreparation {
  layout: 'NHWC' | 'NCHW';
  channels: 'RGB' | 'BGR';
  mean: [number, number, number];
  std: [number, number, number];
}

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

export interface RunTask {
  type: 'run';
  model: ModelName;
  inputs: NamedTensors;
  prepare?: InputPreparation;
}

/** The whole MTCNN cascade in one task: one round trip per image instead of one per net and scale. */
export interface MtcnnTask {
  type: 'mtcnn';
  image: { data: Uint8Array; width: number; height: number };
  params: MtcnnParams;
  models: MtcnnModels;
}

export type WorkerTask = RunTask | MtcnnTask;

/** What each task kind resolves with. */
export interface TaskResults {
  run: OutputTensors;
  mtcnn: MtcnnFace[];
}

export type WorkerRequest = WorkerTask & { id: number };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; model: ModelName; path: string; message: string }
  | { type: 'result'; id: number; value: TaskResults[WorkerTask['type']] }
  | { type: 'error'; id: number; message: string };

/**
 * The ArrayBuffers to move rather than copy in a postMessage. Only buffers a tensor spans
 * entirely qualify: a view into a larger buffer (a Buffer pool slab) would detach its neighbours.
 */
export function transferList(arrays: Iterable<ArrayBufferView>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const data of arrays) {
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

/** The typed arrays a task carries, for `transferList`. */
export function taskArrays(task: WorkerTask): ArrayBufferView[] {
  return task.type === 'run' ? Object.values(task.inputs).map((t) => t.data) : [task.image.data];
}
