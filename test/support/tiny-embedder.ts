import { writeFile } from 'node:fs/promises';
import { GraphBuilder } from '../../scripts/models/onnx-builder.js';

export interface TinyEmbedder {
  /** Side of the square chip it takes. */
  size: number;
  dimension: number;
}

/**
 * Writes a small ONNX "embedder" in the layout most exported face models use (NCHW input named
 * `data`, output `fc1`): a 4×4 average pool of the chip, then a fixed pseudo-random projection to
 * `dimension` values. It tells faces apart poorly, but it is a real model of a shape no built-in
 * profile has, which is what a custom-profile test needs.
 */
export async function writeTinyEmbedder(file: string, { size, dimension }: TinyEmbedder): Promise<void> {
  const g = new GraphBuilder('tiny-embedder');
  const input = g.input('data', ['batch', 3, size, size]);
  const pooled = g.op('AveragePool', [input], { kernel_shape: [4, 4], strides: [4, 4] });
  const flat = g.op('Flatten', [pooled], { axis: 1 });
  const features = 3 * (size / 4) * (size / 4);
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  const weights = Float32Array.from({ length: features * dimension }, random);
  const projected = g.op('MatMul', [flat, g.weight('projection', [features, dimension], weights)]);
  g.output('fc1', projected, ['batch', dimension], 'a random projection of the pooled chip');
  await writeFile(file, g.build({ producerVersion: '1', docString: 'test model', metadata: {} }));
}
