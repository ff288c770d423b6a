import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Worker } from 'node:worker_threads';
import { ModelUnavailableError } from '../../face/face.errors.js';
import {
  type ModelName,
  type NamedTensors,
  type OutputTensors,
  type RunRequest,
  transferList,
  type WorkerInit,
  type WorkerMessage,
  type WorkerModel,
} from './inference.protocol.js';
import {
  type ModelFileInfo,
  ModelFileError,
  type ModelManifest,
  modelId,
  verifyModelFile,
} from './model-files.js';
import { createWorker } from './worker-launcher.js';

export interface InferencePoolOptions {
  models: WorkerModel[];
  workers: number;
  threadsPerWorker: number;
  /** Tasks allowed to wait for a worker; beyond that `run` fails fast with 503. */
  maxQueue: number;
  /** A task running longer than this is failed and its worker replaced (a hung native call). */
  taskTimeoutMs: number;
  /** A task waiting longer than this for a worker is failed (default `taskTimeoutMs`). */
  queueTimeoutMs?: number;
  manifest?: ModelManifest;
  /** Hash the files against the manifest before loading them (tests with fake workers skip it). */
  verifyFiles?: boolean;
  /** Defaults to the compiled or source `inference.worker` beside this file. */
  workerUrl?: URL;
}

interface Task {
  id: number;
  model: ModelName;
  inputs: NamedTensors;
  /** Fails the task if no worker takes it in time (e.g. every worker is down and restarting). */
  queueTimer?: NodeJS.Timeout;
  resolve: (outputs: OutputTensors) => void;
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
export class InferencePool implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(InferencePool.name);
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly infos = new Map<ModelName, ModelFileInfo>();
  private nextId = 1;
  private started = false;
  private closing = false;

  constructor(private readonly options: InferencePoolOptions) {}

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Verifies the model files, then starts every worker and waits until all have warmed up. */
  async start(): Promise<void> {
    if (this.started) return;
    for (const model of this.options.models) {
      const info =
        this.options.verifyFiles === false
          ? { path: model.path, name: model.name, sha256: '', id: modelId(this.options.manifest, model.path) }
          : await verifyModelFile(model.path, this.options.manifest);
      this.infos.set(model.name, info);
    }
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
        [...this.infos.values()].map((i) => i.id).join(', '),
    );
  }

  /** True while at least one worker has its models loaded; the readiness probe uses it. */
  isReady(): boolean {
    return this.started && !this.closing && this.slots.some((s) => s.state === 'idle' || s.state === 'busy');
  }

  modelInfo(name: ModelName): ModelFileInfo | undefined {
    return this.infos.get(name);
  }

  stats(): { workers: number; ready: number; busy: number; queued: number } {
    const ready = this.slots.filter((s) => s.state === 'idle' || s.state === 'busy').length;
    const busy = this.slots.filter((s) => s.state === 'busy').length;
    return { workers: this.slots.length, ready, busy, queued: this.queue.length };
  }

  /**
   * Runs one model. The input buffers are transferred to the worker, so the caller's arrays are
   * detached (length 0) afterwards; outputs come back the same way.
   */
  run(model: ModelName, inputs: NamedTensors): Promise<OutputTensors> {
    if (!this.started || this.closing) {
      return Promise.reject(new ModelUnavailableError('The face models are not loaded'));
    }
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(
        new ModelUnavailableError('The face recognition service is overloaded; retry shortly'),
      );
    }
    return new Promise<OutputTensors>((resolve, reject) => {
      const task: Task = { id: this.nextId++, model, inputs, resolve, reject };
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
      const request: RunRequest = { type: 'run', id: task.id, model: task.model, inputs: task.inputs };
      try {
        slot.worker.postMessage(request, transferList(task.inputs));
      } catch (err) {
        this.settle(slot, err instanceof Error ? err : new Error(String(err)));
        slot.state = 'idle';
      }
    }
  }

  /** Starts a worker in `slot`; resolves once its sessions are loaded and warmed up. */
  private spawn(slot: Slot): Promise<void> {
    slot.state = 'starting';
    const init: WorkerInit = { models: this.options.models, threads: this.options.threadsPerWorker };
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
    this.logger.warn(`Restarting an inference worker in ${delay} ms`);
    setTimeout(() => {
      if (this.closing) return;
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
    if (message.type === 'result') task.resolve(message.outputs);
    else task.reject(new Error(`Inference failed in model '${task.model}': ${message.message}`));
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
