import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { faceLandmark68 } from './face-landmark-68.js';
import { faceRecognition } from './face-recognition.js';
import {
  CONVERTER_VERSION,
  MANIFEST_FILE,
  isUpToDate,
  readManifest,
  sha256,
  writeFileAtomic,
  type Manifest,
  type ManifestEntry,
  type SourcePackage,
} from './manifest.js';
import type { ModelSpec } from './model-spec.js';
import { GraphBuilder, OPSET } from './onnx-builder.js';
import { ssdMobilenetV1 } from './ssd-mobilenetv1.js';
import { loadTfjsWeights } from './tfjs-weights.js';
import { tinyFaceDetector } from './tiny-face-detector.js';

export const MODEL_SPECS: readonly ModelSpec[] = [
  ssdMobilenetV1,
  faceLandmark68,
  faceRecognition,
  tinyFaceDetector,
];

const FACE_API = '@vladmandic/face-api';

export interface FaceApiPackage {
  /** The installed package's root folder. */
  dir: string;
  source: SourcePackage;
}

/** Finds the installed face-api through Node's module resolution (it has no `exports` map). */
export async function locateFaceApi(): Promise<FaceApiPackage> {
  const packageJson = createRequire(import.meta.url).resolve(`${FACE_API}/package.json`);
  const { name, version, license } = JSON.parse(await readFile(packageJson, 'utf8')) as Record<
    string,
    string
  >;
  if (!name || !version || !license) throw new Error(`${packageJson} lacks name, version or license`);
  return { dir: path.dirname(packageJson), source: { name, version, licence: license } };
}

/** Converts one network's TF.js weights to a serialised ONNX model. */
export async function convertModel(
  spec: ModelSpec,
  faceApi: FaceApiPackage,
): Promise<{ onnx: Uint8Array; sourceFiles: string[] }> {
  const { weights, files } = await loadTfjsWeights(path.join(faceApi.dir, 'model'), spec.weightsManifest);
  const g = new GraphBuilder(spec.name);
  const outputs = spec.build(g, g.input(spec.input.name, spec.input.shape), weights);
  for (const doc of spec.outputs) {
    const value = outputs[doc.name];
    if (!value) throw new Error(`${spec.name} does not produce output ${doc.name}`);
    g.output(doc.name, value, doc.shape, doc.description);
  }
  const onnx = g.build({
    producerVersion: String(CONVERTER_VERSION),
    docString: `${spec.name} converted from ${faceApi.source.name} ${faceApi.source.version}`,
    metadata: { source: `${faceApi.source.name}@${faceApi.source.version}`, licence: spec.licence },
  });
  return { onnx, sourceFiles: files.map((f) => `model/${f}`) };
}

export interface BuildOptions {
  outDir: string;
  force?: boolean;
  log?: (line: string) => void;
}

/**
 * Converts every network into `outDir` and writes the manifest last, so an interrupted build is
 * never mistaken for a complete one. Skips the work when the manifest shows the files are current.
 */
export async function buildModels({ outDir, force = false, log = () => {} }: BuildOptions): Promise<{
  built: boolean;
  manifest: Manifest;
}> {
  const faceApi = await locateFaceApi();
  const label = `${faceApi.source.name} ${faceApi.source.version}`;
  const existing = await readManifest(outDir);
  if (!force && existing && (await isUpToDate(outDir, existing, faceApi.source, MODEL_SPECS))) {
    log(`models: up to date (${MODEL_SPECS.length} models from ${label}; --force rebuilds)`);
    return { built: false, manifest: existing };
  }

  const started = performance.now();
  log(`models: converting ${MODEL_SPECS.length} networks from ${label}`);
  await mkdir(outDir, { recursive: true });
  const models: ManifestEntry[] = [];
  for (const spec of MODEL_SPECS) {
    const t0 = performance.now();
    const { onnx, sourceFiles } = await convertModel(spec, faceApi);
    await writeFileAtomic(path.join(outDir, spec.file), onnx);
    const { name, file, task, input, outputs, licence } = spec;
    models.push({
      name,
      file,
      task,
      sha256: sha256(onnx),
      bytes: onnx.length,
      input,
      outputs,
      sourceFiles,
      licence,
    });
    const megabytes = (onnx.length / 1e6).toFixed(1);
    log(`  ${file.padEnd(26)} ${megabytes.padStart(5)} MB  ${Math.round(performance.now() - t0)} ms`);
  }
  const manifest: Manifest = {
    converterVersion: CONVERTER_VERSION,
    opset: OPSET,
    source: faceApi.source,
    models,
  };
  await writeFileAtomic(path.join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`models: wrote ${MANIFEST_FILE} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { built: true, manifest };
}
