import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelProfile } from '../../face/model-profile.js';

/** One converted network as models/manifest.json (written by scripts/models) records it. */
export interface ManifestModel {
  name: string;
  file: string;
  sha256: string;
  bytes?: number;
  source?: { name: string; version: string; licence?: string };
}

/** The parts of models/manifest.json that the runtime reads. */
export interface ModelManifest {
  converterVersion?: number;
  defaultProfile?: string;
  models: ManifestModel[];
  profiles?: Record<string, ModelProfile>;
}

export interface VerifiedFile {
  path: string;
  sha256: string;
}

/** Boot failure: a model file is absent, unreadable or not what was recorded for it. */
export class ModelFileError extends Error {
  constructor(file: string, reason: string, remedy = 'run `npm run models -- --force`') {
    super(`Model file ${displayPath(file)} is missing or corrupt — ${remedy} (${reason})`);
    this.name = 'ModelFileError';
  }
}

export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

/** The manifest next to the models; undefined when there is none (nothing converted yet). */
export async function readManifest(dir: string): Promise<ModelManifest | undefined> {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as ModelManifest;
    if (!Array.isArray(parsed.models)) throw new Error('no models list');
    return parsed;
  } catch (error) {
    throw new ModelFileError(file, `not a valid manifest: ${(error as Error).message}`);
  }
}

/**
 * Checks that a model file exists, is non-empty and — when a hash is expected — has it. Hashing
 * the ~10–70 MB a profile loads costs 30–200 ms once at boot and catches truncated copies.
 */
export async function verifyModelFile(
  file: string,
  expectedSha256?: string,
  remedy?: string,
): Promise<VerifiedFile> {
  const size = await stat(file).then(
    (s) => (s.isFile() ? s.size : -1),
    () => undefined,
  );
  if (size === undefined) throw new ModelFileError(file, 'file not found', remedy);
  if (size <= 0) throw new ModelFileError(file, 'empty or not a regular file', remedy);
  const sha256 = createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
  if (expectedSha256 && expectedSha256 !== sha256) {
    throw new ModelFileError(
      file,
      `sha256 ${sha256.slice(0, 12)}… does not match the expected ${expectedSha256.slice(0, 12)}…`,
      remedy,
    );
  }
  return { path: file, sha256 };
}
