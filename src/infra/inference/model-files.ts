import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** The parts of models/manifest.json (written by scripts/models) that the runtime reads. */
export interface ModelManifest {
  converterVersion?: number;
  /** Converter version 1 recorded one source for every model. */
  source?: SourcePackage;
  models: {
    name: string;
    file: string;
    sha256?: string;
    bytes?: number;
    source?: SourcePackage;
    calibratedThreshold?: number;
  }[];
}

interface SourcePackage {
  name: string;
  version: string;
}

export interface ModelFileInfo {
  path: string;
  /** Name from the manifest, or the file name without extension. */
  name: string;
  sha256: string;
  /** Stable identifier of the weights, e.g. `face-api:face_recognition@1.7.15`. */
  id: string;
  /** Embedders: the cosine distance threshold the manifest recommends (calibrated on LFW). */
  calibratedThreshold?: number;
}

/** Boot failure: a model file is absent, unreadable or not what the manifest recorded. */
export class ModelFileError extends Error {
  constructor(file: string, reason: string) {
    super(`Model file ${displayPath(file)} is missing or corrupt — run \`npm run models\` (${reason})`);
    this.name = 'ModelFileError';
  }
}

export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

/** Reads the manifest next to the models; undefined when there is none (custom model files). */
export function readManifestSync(dir: string): ModelManifest | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dir, 'manifest.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as ModelManifest;
    return Array.isArray(parsed.models) ? parsed : undefined;
  } catch {
    throw new ModelFileError(path.join(dir, 'manifest.json'), 'not valid JSON');
  }
}

function manifestEntry(manifest: ModelManifest | undefined, file: string) {
  return manifest?.models.find((m) => m.file === path.basename(file));
}

/**
 * The identifier vectors are stored under. It names the weights (source package, model and
 * version) rather than the file hash, so that rebuilding the same weights with a newer converter
 * does not orphan every enrolled face; files without a manifest entry fall back to the hash.
 */
export function modelId(manifest: ModelManifest | undefined, file: string, sha256?: string): string {
  const entry = manifestEntry(manifest, file);
  const origin = entry?.source ?? manifest?.source;
  if (entry && origin) {
    const source = origin.name.replace(/^@[^/]+\//, '');
    return `${source}:${entry.name}@${origin.version}`;
  }
  const base = path.basename(file, path.extname(file));
  return sha256 ? `${base}:sha256-${sha256.slice(0, 12)}` : base;
}

/**
 * Checks that a model file exists, is non-empty and — when the manifest lists it — has the
 * recorded sha256. Hashing ~30 MB once at boot costs about 100 ms and catches truncated copies.
 */
export async function verifyModelFile(
  file: string,
  manifest: ModelManifest | undefined,
): Promise<ModelFileInfo> {
  const size = await stat(file).then(
    (s) => (s.isFile() ? s.size : -1),
    () => undefined,
  );
  if (size === undefined) throw new ModelFileError(file, 'file not found');
  if (size <= 0) throw new ModelFileError(file, 'empty or not a regular file');
  const sha256 = createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
  const entry = manifestEntry(manifest, file);
  const calibrated = entry?.calibratedThreshold;
  if (entry?.sha256 && entry.sha256 !== sha256) {
    throw new ModelFileError(
      file,
      `sha256 ${sha256.slice(0, 12)}… does not match the manifest's ${entry.sha256.slice(0, 12)}…`,
    );
  }
  return {
    path: file,
    name: entry?.name ?? path.basename(file, path.extname(file)),
    sha256,
    id: modelId(manifest, file, sha256),
    ...(validThreshold(calibrated) ? { calibratedThreshold: calibrated } : {}),
  };
}

function validThreshold(value: unknown): value is number {
  return typeof value === 'number' && value > 0 && value < 2;
}
