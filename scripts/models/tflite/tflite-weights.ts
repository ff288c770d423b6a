/**
 * Rearranges TFLite constants (NHWC world) into what ONNX's NCHW operators expect. Pure functions
 * on typed arrays, so the layout arithmetic can be unit-tested apart from graph building.
 */

/** Permutes a dense row-major tensor: output dimension i is input dimension perm[i]. */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  if (perm.length !== shape.length)
    throw new Error(`permutation [${perm.join()}] for shape [${shape.join()}]`);
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  const outShape = perm.map((p) => shape[p]!);
  const outStrides = perm.map((p) => strides[p]!);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let source = 0;
    for (let d = 0; d < rank; d++) source += index[d]! * outStrides[d]!;
    out[o] = data[source]!;
    // Odometer increment over the output shape.
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < outShape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/** CONV_2D filter [O, kH, kW, I] (OHWI) → ONNX Conv weight [O, I, kH, kW]. */
export function convFilterToOihw(data: Float32Array, shape: readonly number[]) {
  const [o, h, w, i] = dims4(shape, 'CONV_2D filter');
  return { dims: [o, i, h, w] as const, data: permute(data, shape, [0, 3, 1, 2]) };
}

/**
 * DEPTHWISE_CONV_2D filter [1, kH, kW, C·M] → grouped Conv weight [C·M, 1, kH, kW] with
 * group = C: output channel c·M + m reads input channel c in both frameworks, so any depth
 * multiplier M maps directly.
 */
export function depthwiseFilterToOihw(data: Float32Array, shape: readonly number[]) {
  const [one, h, w, channels] = dims4(shape, 'DEPTHWISE_CONV_2D filter');
  if (one !== 1) throw new Error(`DEPTHWISE_CONV_2D filter [${shape.join()}] must have a leading 1`);
  return { dims: [channels, 1, h, w] as const, data: permute(data, shape, [3, 0, 1, 2]) };
}

/**
 * FULLY_CONNECTED weights [out, H·W·C] whose columns follow TFLite's NHWC flatten order,
 * reordered to [out, C·H·W] so they apply to an NCHW tensor flattened as it is — no transpose of
 * the activations at run time.
 */
export function fcWeightsForNchw(
  data: Float32Array,
  outputs: number,
  [h, w, c]: readonly [number, number, number],
): Float32Array {
  if (data.length !== outputs * h * w * c)
    throw new Error(`FULLY_CONNECTED weights do not match [${outputs}, ${h}x${w}x${c}]`);
  return permute(data, [outputs, h, w, c], [0, 3, 1, 2]);
}

/**
 * A constant that broadcasts against an NHWC activation, rearranged to broadcast against the
 * same activation held as NCHW: left-padded to rank 4 (numpy broadcasting), then permuted.
 * Scalars stay scalars.
 */
export function broadcastConstantToNchw(data: Float32Array, shape: readonly number[]) {
  if (shape.length === 0 || data.length === 1) return { dims: shape.length === 0 ? [] : [1], data };
  if (shape.length > 4) throw new Error(`constant of rank ${shape.length} against a 4-D tensor`);
  const padded = [...new Array<number>(4 - shape.length).fill(1), ...shape];
  const dims = [padded[0]!, padded[3]!, padded[1]!, padded[2]!];
  return { dims, data: permute(data, padded, [0, 3, 1, 2]) };
}

function dims4(shape: readonly number[], what: string): [number, number, number, number] {
  const [a, b, c, d] = shape;
  if (shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`${what}: expected 4 dimensions, got [${shape.join()}]`);
  }
  return [a, b, c, d];
}
