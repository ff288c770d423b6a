import { readFile } from 'node:fs/promises';

import { DlibReader, type DlibTensor } from './dlib-serialization.js';
import { RESNET_BLOCKS, RESNET_MEAN_RGB } from './face-recognition.js';
import { WeightMap, type Weight } from './tfjs-weights.js';

export interface DlibResnet {
  weights: WeightMap;
  /** The loss layer's training distance threshold (Euclidean, on unnormalised descriptors). */
  trainingThreshold: number;
}

interface Conv {
  filters: number;
  inChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  /** OIHW kernel followed by one bias per filter, as dlib's con_ keeps them. */
  params: Float32Array;
}

/**
 * Reads dlib's `dlib_face_recognition_resnet_model_v1.dat` (the float model behind dlib's 99.38 %
 * on LFW) into the tensor names and TF layouts that face-api's port of the same network uses, so
 * both are built by one graph definition. dlib serialises the network from the input side: every
 * con_ (params, then filters, size, stride, padding) is followed by its affine_ (gamma, beta),
 * 29 pairs in all, and the fc_ projection comes last.
 */
export async function loadDlibResnet(file: string): Promise<DlibResnet> {
  const reader = new DlibReader(await readFile(file));
  const version = reader.int();
  const loss = reader.string(64);
  if (version !== 1 || loss !== 'loss_metric_2') {
    throw new Error(`${file} is not a dlib metric-learning network (found ${loss})`);
  }
  reader.float(); // margin
  const trainingThreshold = reader.float();
  const meanRgb = readInputLayer(reader, file);
  if (meanRgb.some((m, c) => Math.abs(m - RESNET_MEAN_RGB[c]!) > 1e-3)) {
    throw new Error(`${file}: input means [${meanRgb.join()}] differ from the graph's`);
  }

  const convs: Conv[] = [];
  const affines: DlibTensor[] = [];
  let fc: Weight | undefined;
  for (let next = reader.findString(LAYERS); next; next = reader.findString(LAYERS)) {
    reader.seek(next.offset);
    reader.string();
    if (next.name === 'con_4') convs.push(readConv(reader));
    else if (next.name === 'affine_') affines.push(reader.tensor());
    else fc = readFc(reader);
  }
  if (!fc) throw new Error(`${file}: no fc_ layer found`);
  const names = ['conv32_down', ...RESNET_BLOCKS.flatMap((b) => [`${b}/conv1`, `${b}/conv2`])];
  if (convs.length !== names.length || affines.length !== names.length) {
    throw new Error(
      `${file}: expected ${names.length} con_/affine_ pairs, found ${convs.length}/${affines.length}`,
    );
  }
  const weights = new Map<string, Weight>([['fc', fc]]);
  names.forEach((name, i) => {
    const conv = convs[i]!;
    checkGeometry(file, name, conv);
    const [filters, bias] = splitConv(conv);
    weights.set(`${name}/conv/filters`, filters);
    weights.set(`${name}/conv/bias`, bias);
    const affine = affines[i]!.data;
    if (affine.length !== 2 * conv.filters)
      throw new Error(`${file}: ${name}'s affine_ does not match its con_`);
    weights.set(`${name}/scale/weights`, vector(affine.subarray(0, conv.filters)));
    weights.set(`${name}/scale/biases`, vector(affine.subarray(conv.filters)));
  });
  return { weights: new WeightMap(weights), trainingThreshold };
}

const LAYERS = ['con_4', 'affine_', 'fc_2'] as const;

function readInputLayer(reader: DlibReader, file: string): [number, number, number] {
  const input = reader.findString(['input_rgb_image_sized']);
  if (!input) throw new Error(`${file}: no input_rgb_image_sized layer`);
  reader.seek(input.offset);
  reader.string();
  return [reader.float(), reader.float(), reader.float()];
}

function readConv(reader: DlibReader): Conv {
  const params = reader.tensor().data;
  const [filters, rows, cols, strideY, strideX, padY, padX] = Array.from({ length: 7 }, () =>
    reader.int(),
  ) as [number, number, number, number, number, number, number];
  const inChannels = (params.length - filters) / (filters * rows * cols);
  if (rows !== cols || strideY !== strideX || padY !== padX || !Number.isInteger(inChannels)) {
    throw new Error(`con_ at ${reader.offset}: unsupported geometry`);
  }
  return { filters, inChannels, kernel: rows, stride: strideY, padding: padY, params };
}

/** fc_: outputs, inputs, then params [inputs (+1 bias row), outputs] — the TF Dense kernel layout. */
function readFc(reader: DlibReader): Weight {
  const outputs = reader.int();
  const inputs = reader.int();
  const params = reader.tensor().data;
  if (params.length !== inputs * outputs) throw new Error(`fc_ at ${reader.offset}: expected no bias`);
  return { shape: [inputs, outputs], data: params };
}

/**
 * The graph (face-recognition.ts) pads stride-2 convs 'valid' and stride-1 convs 'same', exactly
 * dlib's default padding (kernel / 2 at stride 1, none otherwise); refuse anything else.
 */
function checkGeometry(file: string, name: string, conv: Conv): void {
  const stride =
    name === 'conv32_down' || name.endsWith('_down/conv1') || name.endsWith('_down_out/conv1') ? 2 : 1;
  const padding = stride === 1 ? Math.floor(conv.kernel / 2) : 0;
  if (conv.stride !== stride || conv.padding !== padding) {
    throw new Error(`${file}: ${name} has stride ${conv.stride}, padding ${conv.padding}`);
  }
}

/** dlib's OIHW kernel + bias → a TF HWIO filter and a bias vector. */
function splitConv({ filters: out, inChannels: cin, kernel: k, params }: Conv): [Weight, Weight] {
  const hwio = new Float32Array(out * cin * k * k);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < cin; i++)
      for (let y = 0; y < k; y++)
        for (let x = 0; x < k; x++) {
          hwio[((y * k + x) * cin + i) * out + o] = params[((o * cin + i) * k + y) * k + x]!;
        }
  return [{ shape: [k, k, cin, out], data: hwio }, vector(params.subarray(out * cin * k * k))];
}

function vector(data: Float32Array): Weight {
  return { shape: [data.length], data: Float32Array.from(data) };
}
