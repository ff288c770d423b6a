import { Logger } from '@nestjs/common';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ModelUnavailableError } from '../../face/face.errors.js';
import {
  type InputPreparation,
  type ModelName,
  type NamedTensors,
  type OutputTensors,
  type TaskResults,
  taskArrays,
  transferList,
  type WorkerInit,
  type WorkerMessage,
  type WorkerModel,
  type WorkerRequest,
  type WorkerTask,
} from './inference.protocol.js';
import type { MtcnnFace, MtcnnModels, MtcnnParams } from './mtcnn/mtcnn-cascade.js';
import { ModelFileError } from './model-files.js';
import { createWorker } from '../worker-launcher.js';

export interface InferencePoolOptions {
  /** Models every worker loads at start; `addModels` extends the set later. */
  models: WorkerModel[];
  workers: number;
  threadsPerWorker: number;
  /** Tasks allowed to wait for a worker; beyond that `run` fails fast with 503. */
  maxQueue: number;
  /** A task running longer than this is failed and its worker replaced (a hung native call). */
  taskTimeoutMs: number;
  /** A task waiting longer than this for a worker is failed (default `taskTimeoutMs`). */
  queueTimeoutMs?: number;
  /** Defaults to the compiled or source `inference.worker` beside this file. */
  workerUrl?: URL;
}

interface Task {
  id: number;
  work: WorkerTask;
  /** Fails the task if no worker takes it in time (e.g. every worker is down and restarting). */
  queueTimer?: NodeJS.Timeout;
  resolve: (value: TaskResults[WorkerTask['type']]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker?: Worker;
  state: 'starting' | 'idle' | 'busy' | 'down';
  task?: Task;
  timer?: NodeJS.Timeout;
  /** Consecutive failed starts or crashes, for the restart back-off. */
  failures: number;
}

const DEFAULT_WORKER_URL = new URL(
  `./inference.worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

/**
 * A fixed set of worker threads, each holding its own ONNX Runtime sessions, fed from one bounded
 * FIFO queue. One task runs per worker at a time (ORT parallelises inside a run with
 * `threadsPerWorker` threads). A worker that crashes or hangs fails only its own task and is
 * replaced with back-off; a full queue fails fast with 503 rather than piling up latency.
 */
export class InferencePool {
  private readonly logger = new Logger(InferencePool.name);
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly models: WorkerModel[];
  private nextId = 1;
  private restarts = 0;
  private started = false;
  private closing = false;

  constructor(private readonly options: InferencePoolOptions) {
    this.models = [...options.models];
  }

  /** Starts every worker and waits until all have loaded and warmed up their models. */
  async start(): Promise<void> {
    if (this.started) return;
    for (let i = 0; i < this.options.workers; i++) this.slots.push({ state: 'down', failures: 0 });
    try {
      await Promise.all(this.slots.map((slot) => this.spawn(slot)));
    } catch (err) {
      await this.close(0);
      throw err;
    }
    this.started = true;
    this.logger.log(
      `${this.options.workers} inference worker(s) × ${this.options.threadsPerWorker} thread(s) ready: ` +
        this.models.map((m) => path.basename(m.path)).join(', '),
    );
  }

  /**
   * Loads more models into every worker. Before `start` they simply join the initial set; after,
   * the workers are replaced one at a time (each when idle), so the others keep serving.
   */
  async addModels(models: WorkerModel[]): Promise<void> {
    const fresh = models.filter((m) => !this.models.some((known) => known.name === m.name));
    if (fresh.length === 0) return;
    this.models.push(...fresh);
    if (!this.started) return;
    for (const slot of this.slots) {
      while (slot.state === 'busy' || slot.state === 'starting') await new Promise((r) => setTimeout(r, 10));
      if (this.closing) return;
      const old = slot.worker;
      slot.worker = undefined; // its exit is expected: the exit handler ignores workers no longer in a slot
      await old?.terminate();
      await this.spawn(slot);
    }
    this.logger.log(`Inference workers reloaded with ${fresh.map((m) => path.basename(m.path)).join(', ')}`);
  }

  hasModel(name: ModelName): boolean {
    return this.models.some((m) => m.name === name);
  }

  /** True while at least one worker has its models loaded; the readiness probe uses it. */
  isReady(): boolean {
    return this.started && !this.closing && this.slots.some((s) => s.state === 'idle' || s.state === 'busy');
  }

  stats(): { workers: number; ready: number; busy: number; queued: number; restarts: number } {
    const ready = this.slots.filter((s) => s.state === 'idle' || s.state === 'busy').length;
    const busy = this.slots.filter((s) => s.state === 'busy').length;
    return { workers: this.slots.length, ready, busy, queued: this.queue.length, restarts: this.restarts };
  }

  /**
   * Runs one model. The input buffers are transferred to the worker, so the caller's arrays are
   * detached (length 0) afterwards; outputs come back the same way. With `prepare`, image bytes
   * (NHWC RGB) are normalised and laid out for the model in the worker.
   */
  run(model: ModelName, inputs: NamedTensors, prepare?: InputPreparation): Promise<OutputTensors> {
    return this.submit<OutputTensors>({ type: 'run', model, inputs, ...(prepare && { prepare }) });
  }

  /** Runs MTCNN's whole cascade on one image in a worker; `image.data` is transferred. */
  detectMtcnn(
    image: { data: Uint8Array; width: number; height: number },
    params: MtcnnParams,
    models: MtcnnModels,
  ): Promise<MtcnnFace[]> {
    return this.submit<MtcnnFace[]>({ type: 'mtcnn', image, params, models });
  }

  private submit<T extends TaskResults[WorkerTask['type']]>(work: WorkerTask): Promise<T> {
    if (!this.started || this.closing) {
      return Promise.reject(new ModelUnavailableError('The face models are not loaded'));
    }
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(
        new ModelUnavailableError('The face recognition service is overloaded; retry shortly'),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const task: Task = { id: this.nextId++, work, resolve: resolve as Task['resolve'], reject };
      task.queueTimer = setTimeout(() => {
        const index = this.queue.indexOf(task);
        if (index < 0) return;
        this.queue.splice(index, 1);
        reject(new ModelUnavailableError('No inference worker became available in time; please retry'));
      }, this.options.queueTimeoutMs ?? this.options.taskTimeoutMs);
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Stops taking work, lets queued and running tasks finish for up to `drainMs`, then stops the workers. */
  async close(drainMs = 5000): Promise<void> {
    this.closing = true;
    const deadline = Date.now() + drainMs;
    while ((this.queue.length > 0 || this.slots.some((s) => s.state === 'busy')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const task of this.queue.splice(0)) {
      clearTimeout(task.queueTimer);
      task.reject(new ModelUnavailableError('The service is shutting down'));
    }
    await Promise.all(
      this.slots.map(async (slot) => {
        this.settle(slot, new ModelUnavailableError('The service is shutting down'));
        slot.state = 'down';
        const worker = slot.worker;
        slot.worker = undefined;
        await worker?.terminate();
      }),
    );
    this.started = false;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.state !== 'idle' || !slot.worker) continue;
      const task = this.queue.shift()!;
      clearTimeout(task.queueTimer);
      slot.state = 'busy';
      slot.task = task;
      slot.timer = setTimeout(() => this.onTimeout(slot, task), this.options.taskTimeoutMs);
      const request: WorkerRequest = { ...task.work, id: task.id };
      try {
        slot.worker.postMessage(request, transferList(taskArrays(task.work)));
      } catch (err) {
        this.settle(slot, err instanceof Error ? err : new Error(String(err)));
        slot.state = 'idle';
      }
    }
  }

  /** Starts a worker in `slot`; resolves once its sessions are loaded and warmed up. */
  private spawn(slot: Slot): Promise<void> {
    slot.state = 'starting';
    const init: WorkerInit = { models: this.models, threads: this.options.threadsPerWorker };
    const worker = createWorker(this.options.workerUrl ?? DEFAULT_WORKER_URL, init);
    slot.worker = worker;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          slot.state = 'idle';
          resolve();
          this.dispatch();
        } else if (message.type === 'init-error') {
          reject(new ModelFileError(message.path, message.message.split('\n')[0] ?? 'failed to load'));
          void worker.terminate();
        } else {
          this.onResult(slot, message);
        }
      });
      worker.on('error', (err) => {
        this.logger.error(`Inference worker failed: ${err.message}`, err.stack);
        if (slot.state === 'starting') reject(err);
      });
      worker.on('exit', (code) => {
        if (slot.worker !== worker) return;
        slot.worker = undefined;
        const wasStarting = slot.state === 'starting';
        slot.state = 'down';
        if (wasStarting) {
          // spawn()'s caller decides: boot fails, or restart() tries again.
          reject(new Error(`Inference worker exited with code ${code} while loading`));
          return;
        }
        this.settle(
          slot,
          new ModelUnavailableError('The inference worker stopped unexpectedly; please retry'),
        );
        if (!this.closing && this.started) this.restart(slot);
      });
    });
  }

  private restart(slot: Slot): void {
    const delay = Math.min(100 * 2 ** slot.failures, 10_000);
    slot.failures++;
    this.restarts++;
    this.logger.warn(`Restarting an inference worker in ${delay} ms`);
    setTimeout(() => {
      // addModels may have respawned the slot meanwhile.
      if (this.closing || slot.state !== 'down') return;
      this.spawn(slot).then(
        () => this.logger.log('Inference worker restarted'),
        (err: Error) => {
          this.logger.error(`Inference worker restart failed: ${err.message}`);
          void slot.worker?.terminate();
          slot.worker = undefined;
          slot.state = 'down';
          this.restart(slot);
        },
      );
    }, delay).unref();
  }

  private onResult(slot: Slot, message: Extract<WorkerMessage, { type: 'result' | 'error' }>): void {
    const task = slot.task;
    if (!task || task.id !== message.id) return;
    clearTimeout(slot.timer);
    slot.task = undefined;
    slot.state = 'idle';
    slot.failures = 0;
    if (message.type === 'result') task.resolve(message.value);
    else task.reject(new Error(`Inference failed (${describe(task.work)}): ${message.message}`));
    this.dispatch();
  }

  private onTimeout(slot: Slot, task: Task): void {
    if (slot.task !== task) return;
    this.settle(
      slot,
      new ModelUnavailableError(`Inference timed out after ${this.options.taskTimeoutMs} ms`),
    );
    // The worker may be stuck in native code; replace it (the exit handler restarts it).
    void slot.worker?.terminate();
  }

  /** Fails the slot's running task, if any. */
  private settle(slot: Slot, error: Error): void {
    clearTimeout(slot.timer);
    const task = slot.task;
    slot.task = undefined;
    task?.reject(error);
  }
}

function describe(work: WorkerTask): string {
  return work.type === 'run' ? `model ${path.basename(work.model)}` : 'MTCNN cascade';
}
