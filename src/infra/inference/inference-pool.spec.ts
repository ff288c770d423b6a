import { afterEach, describe, expect, it } from 'vitest';
import { ModelUnavailableError } from '../../face/face.errors.js';
import { InferencePool, type InferencePoolOptions } from './inference-pool.js';
import type { NamedTensors } from './inference.protocol.js';
import { ModelFileError } from './model-files.js';

const FAKE_WORKER = new URL('../../../test/fixtures/fake-inference.worker.mjs', import.meta.url);

const pools: InferencePool[] = [];
function pool(overrides: Partial<InferencePoolOptions> = {}): InferencePool {
  const p = new InferencePool({
    models: [{ name: 'detector', path: '/models/detector.onnx', warmup: { input: 'input', dims: [1] } }],
    workers: 2,
    threadsPerWorker: 1,
    maxQueue: 8,
    taskTimeoutMs: 2000,
    workerUrl: FAKE_WORKER,
    ...overrides,
  });
  pools.push(p);
  return p;
}

const input = (...values: number[]): NamedTensors => ({
  input: { data: Float32Array.from(values), dims: [values.length] },
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close(0)));
});

describe('InferencePool', () => {
  it('is not ready and refuses work before start', async () => {
    const p = pool();
    expect(p.isReady()).toBe(false);
    await expect(p.run('detector', input(1))).rejects.toBeInstanceOf(ModelUnavailableError);
  });

  it('runs tasks on the workers and transfers the input buffers', async () => {
    const p = pool();
    await p.start();
    expect(p.isReady()).toBe(true);
    const tensors = input(1, 0, 3);
    const outputs = await p.run('detector', tensors);
    expect(Array.from(outputs.output!.data.subarray(0, 3))).toEqual([2, 0, 6]);
    expect(tensors.input!.data.length).toBe(0); // detached: it was moved, not copied
  });

  it('spreads concurrent tasks over the workers', async () => {
    const p = pool();
    await p.start();
    const results = await Promise.all([1, 2, 3, 4].map((v) => p.run('detector', input(v, 50))));
    const threads = new Set(results.map((r) => r.output!.data[2]));
    expect(threads.size).toBe(2);
  });

  it('rejects with 503 when the queue is full, without losing queued tasks', async () => {
    const p = pool({ workers: 1, maxQueue: 2 });
    await p.start();
    const running = p.run('detector', input(1, 100));
    const queued = [p.run('detector', input(2, 0)), p.run('detector', input(3, 0))];
    await Promise.resolve();
    await expect(p.run('detector', input(4, 0))).rejects.toMatchObject({ httpStatus: 503 });
    await expect(Promise.all([running, ...queued])).resolves.toHaveLength(3);
  });

  it('fails the task of a crashed worker, restarts it and keeps serving', async () => {
    const p = pool({ workers: 1 });
    await p.start();
    await expect(p.run('detector', input(-1))).rejects.toBeInstanceOf(ModelUnavailableError);
    expect(p.isReady()).toBe(false);
    const outputs = await p.run('detector', input(5)); // queued until the replacement is up
    expect(outputs.output!.data[0]).toBe(10);
    expect(p.isReady()).toBe(true);
  });

  it('replaces a worker that hangs past the task timeout', async () => {
    const p = pool({ workers: 1, taskTimeoutMs: 200, queueTimeoutMs: 10_000 });
    await p.start();
    await expect(p.run('detector', input(-2))).rejects.toThrow(/timed out/);
    await expect(p.run('detector', input(7))).resolves.toBeDefined();
  });

  it('fails queued tasks with 503 when no worker comes back in time', async () => {
    const p = pool({ workers: 1, taskTimeoutMs: 300 });
    await p.start();
    // The crash takes the only worker down; the next task waits in the queue meanwhile.
    const crashed = p.run('detector', input(-1));
    const waiting = p.run('detector', input(-1, 0));
    await expect(crashed).rejects.toBeInstanceOf(ModelUnavailableError);
    await expect(waiting).rejects.toBeInstanceOf(ModelUnavailableError);
  });

  it('passes model errors through without restarting the worker', async () => {
    const p = pool({ workers: 1 });
    await p.start();
    await expect(p.run('detector', input(-3))).rejects.toThrow(/bad input/);
    expect(p.stats()).toMatchObject({ ready: 1, busy: 0 });
  });

  it('fails start with a clear message when a model cannot be loaded', async () => {
    const p = pool({
      models: [{ name: 'embedder', path: '/models/fail-load.onnx', warmup: { input: 'input', dims: [1] } }],
    });
    const error = await p.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toMatch(
      /Model file .*fail-load\.onnx is missing or corrupt — run `npm run models -- --force`/,
    );
    expect(p.isReady()).toBe(false);
  });

  it('reloads every worker with models added after start, one worker at a time', async () => {
    const p = pool({ workers: 2 });
    await p.start();
    const loaded = async () => (await p.run('detector', input(1))) as unknown as { models: string[] };
    expect((await loaded()).models).toEqual(['detector']);
    const busy = p.run('detector', input(1, 150)); // a slot busy during the reload finishes its task first
    await p.addModels([
      { name: 'embedder', path: '/models/embedder.onnx', warmup: { input: 'input', dims: [1] } },
    ]);
    await expect(busy).resolves.toBeDefined();
    expect(p.hasModel('embedder')).toBe(true);
    const after = await Promise.all([loaded(), loaded(), loaded()]);
    for (const result of after) expect(result.models).toEqual(['detector', 'embedder']);
    await p.addModels([
      { name: 'embedder', path: '/models/embedder.onnx', warmup: { input: 'input', dims: [1] } },
    ]);
  });

  it('rejects queued work on close', async () => {
    const p = pool({ workers: 1 });
    await p.start();
    const settled = Promise.allSettled([p.run('detector', input(1, 300)), p.run('detector', input(2, 0))]);
    await p.close(0);
    for (const result of await settled) {
      expect(result).toMatchObject({ status: 'rejected', reason: expect.any(ModelUnavailableError) });
    }
  });
});
