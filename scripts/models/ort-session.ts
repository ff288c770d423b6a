import { InferenceSession, Tensor } from 'onnxruntime-node';

/** Two intra-op threads: what the service gives each inference worker on a 2-core machine. */
export async function createSession(model: Uint8Array | string): Promise<InferenceSession> {
  const options: InferenceSession.SessionOptions = { intraOpNumThreads: 2, interOpNumThreads: 1 };
  return typeof model === 'string'
    ? InferenceSession.create(model, options)
    : InferenceSession.create(model, options);
}

export interface Output {
  dims: readonly number[];
  data: Float32Array;
}

/** Runs a model on one NHWC float input named `input`. */
export async function runModel(
  session: InferenceSession,
  input: Float32Array,
  shape: number[],
): Promise<Record<string, Output>> {
  const results = await session.run({ input: new Tensor('float32', input, shape) });
  return Object.fromEntries(
    Object.entries(results).map(([name, tensor]) => [
      name,
      { dims: tensor.dims, data: tensor.data as Float32Array },
    ]),
  );
}
