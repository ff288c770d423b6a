import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { CONVERTER_VERSION, sha256 } from '../manifest.js';
import type { TfliteModelSpec } from './specs.js';
import { convertTflite, type TfliteConversion } from './tflite-to-onnx.js';
import { readTfliteModel, type TfliteModel } from './tflite-model.js';

/**
 * Reads a spec's `.tflite` file from the installed package and checks it against the pinned
 * sha256 first: a different file (another package version, a tampered install) would otherwise
 * convert into a model with the right shapes and wrong behaviour.
 */
export async function readPinnedTflite(
  spec: TfliteModelSpec,
  packageDir: string,
): Promise<{ model: TfliteModel; sha256: string }> {
  const file = path.join(packageDir, spec.source.path);
  const bytes = await readFile(file);
  const actual = sha256(bytes);
  if (actual !== spec.source.sha256) {
    throw new Error(
      `${file}: sha256 ${actual}, expected ${spec.source.sha256} — reinstall the pinned package version ` +
        `(${spec.source.package} as locked in package-lock.json)`,
    );
  }
  return { model: readTfliteModel(bytes, `${spec.source.package}/${spec.source.path}`), sha256: actual };
}

/** What `convertTflite` needs from a spec. */
export function conversionOf(spec: TfliteModelSpec): TfliteConversion {
  return {
    inputShape: spec.input.shape,
    transposedImage: spec.transposedImage,
    ...(spec.normalisationInGraph ? { normalisation: spec.normalisationInGraph } : {}),
    outputs: spec.outputs.map((doc) => {
      const tflite = spec.tfliteOutputs[doc.name];
      if (!tflite) throw new Error(`${spec.name}: output ${doc.name} has no TFLite tensor`);
      return { tflite, name: doc.name, shape: doc.shape, description: doc.description };
    }),
  };
}

/**
 * Converts one pinned TFLite network from the installed package at `packageDir` to ONNX bytes.
 * Deterministic: the same file gives byte-identical output.
 */
export async function convertTfliteModel(
  spec: TfliteModelSpec,
  packageDir: string,
): Promise<{ onnx: Uint8Array; sourceFiles: { path: string; sha256: string }[] }> {
  const { model, sha256: hash } = await readPinnedTflite(spec, packageDir);
  const { version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as {
    version?: string;
  };
  const source = `${spec.source.package}@${version ?? 'unknown'}`;
  const onnx = convertTflite(model, conversionOf(spec), spec.name, {
    producerVersion: String(CONVERTER_VERSION),
    docString: `${spec.name} converted from ${source} ${spec.source.path}`,
    metadata: { source, sourceFile: spec.source.path, sourceSha256: hash, licence: spec.licence },
  });
  return { onnx, sourceFiles: [{ path: spec.source.path, sha256: hash }] };
}
