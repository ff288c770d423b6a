import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmbeddingSpace, ModelProfile } from '../../../face/model-profile.js';
import { type ModelManifest, readManifest, verifyModelFile } from '../model-files.js';
import { profileProblems } from './profile-validation.js';

/** Boot failure about profiles: the message says what to do. */
export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

/** A model file a profile runs, with the hash it must have (when one is known). */
export interface ProfileFile {
  role: string;
  path: string;
  sha256?: string;
}

/** A profile whose files exist and match their hashes, with the identity of its vectors. */
export interface ResolvedProfile {
  profile: ModelProfile;
  builtIn: boolean;
  space: EmbeddingSpace;
  /** Absolute paths of the files each role runs. */
  paths: Record<string, string>;
}

interface CustomProfilesFile {
  profiles?: Record<string, Partial<ModelProfile> & { extends?: string }>;
}

/**
 * Every profile this installation can run: the built-in ones from `models/manifest.json` and a
 * deployment's own from `models/profiles.json` (or `PROFILES_FILE`). A custom entry may
 * `extends` another profile and override whole top-level sections (detector, embedder, chip,
 * flip, matching, licence, sources).
 */
export class ProfileCatalog {
  private constructor(
    private readonly modelsDir: string,
    private readonly manifest: ModelManifest,
    private readonly profiles: Map<string, { profile: ModelProfile; builtIn: boolean }>,
  ) {}

  static async load(modelsDir: string, customFile?: string): Promise<ProfileCatalog> {
    const manifest = await readManifest(modelsDir);
    if (!manifest?.profiles || Object.keys(manifest.profiles).length === 0) {
      throw new ProfileError(
        `No model profiles in ${path.join(modelsDir, 'manifest.json')}: the models are built at install; ` +
          'run `npm run models` (or `npm install`) and start again',
      );
    }
    const profiles = new Map<string, { profile: ModelProfile; builtIn: boolean }>();
    for (const [name, profile] of Object.entries(manifest.profiles)) {
      profiles.set(name, { profile: { ...profile, name }, builtIn: true });
    }
    const custom = await readCustomProfiles(
      customFile ?? path.join(modelsDir, 'profiles.json'),
      !!customFile,
    );
    for (const [name, entry] of Object.entries(custom.profiles ?? {})) {
      if (profiles.get(name)?.builtIn) {
        throw new ProfileError(`profiles.json: '${name}' is a built-in profile name; choose another name`);
      }
      const { extends: base, ...overrides } = entry;
      const inherited = base ? profiles.get(base)?.profile : undefined;
      if (base && !inherited) {
        throw new ProfileError(`profiles.json: profile '${name}' extends unknown profile '${base}'`);
      }
      profiles.set(name, { profile: { ...inherited, ...overrides, name } as ModelProfile, builtIn: false });
    }
    const problems = [...profiles].flatMap(([name, { profile }]) => profileProblems(name, profile));
    if (problems.length > 0) {
      throw new ProfileError(`Invalid model profile(s):\n  - ${problems.join('\n  - ')}`);
    }
    return new ProfileCatalog(modelsDir, manifest, profiles);
  }

  get defaultName(): string {
    const name = this.manifest.defaultProfile ?? [...this.profiles.keys()][0]!;
    return name;
  }

  names(): string[] {
    return [...this.profiles.keys()];
  }

  get(name: string): ModelProfile {
    const entry = this.profiles.get(name);
    if (!entry) {
      throw new ProfileError(
        `Unknown model profile '${name}' (FACE_PROFILE); available: ${this.names().join(', ')}`,
      );
    }
    return entry.profile;
  }

  /**
   * Checks every file of a profile (present, non-empty, the expected sha256) and works out the
   * identity of its vectors. Throws `ModelFileError`/`ProfileError` with what to do.
   */
  async resolve(name: string): Promise<ResolvedProfile> {
    const profile = this.get(name);
    const builtIn = this.profiles.get(name)!.builtIn;
    const files = this.files(profile);
    const remedy = builtIn
      ? 'run `npm run models -- --force` to rebuild the built-in models'
      : `fix the file or the sha256 of profile '${name}' in profiles.json`;
    const verified = await Promise.all(files.map((f) => verifyModelFile(f.path, f.sha256, remedy)));
    const paths = Object.fromEntries(files.map((f) => [f.role, f.path]));
    const embedderSha = verified[files.findIndex((f) => f.role === 'embedder')]!.sha256;
    return { profile, builtIn, paths, space: this.space(profile, builtIn, paths.embedder!, embedderSha) };
  }

  /** The profile whose vectors are stored under `key`, if this installation has it. */
  async findBySpace(key: string): Promise<string | undefined> {
    for (const name of this.names()) {
      const resolved = await this.resolve(name).catch(() => undefined);
      if (resolved?.space.key === key) return name;
    }
    return undefined;
  }

  private files(profile: ModelProfile): ProfileFile[] {
    const file = (role: string, model: string, sha256?: string): ProfileFile => {
      const resolved = path.resolve(this.modelsDir, model);
      return { role, path: resolved, sha256: sha256 ?? this.manifestEntry(resolved)?.sha256 };
    };
    const d = profile.detector;
    const detector =
      d.family === 'mtcnn'
        ? [file('pnet', d.models.pnet), file('rnet', d.models.rnet), file('onet', d.models.onet)]
        : [file('detector', d.model), file('landmarks', d.landmarks)];
    return [...detector, file('embedder', profile.embedder.model, profile.embedder.sha256)];
  }

  private manifestEntry(file: string) {
    if (path.dirname(file) !== path.resolve(this.modelsDir)) return undefined;
    return this.manifest.models.find((m) => m.file === path.basename(file));
  }

  /**
   * Built-in profiles are named after their weights (`face-api:face_recognition@1.7.15`, plus
   * `+flip` when mirrored chips are averaged), which keeps vectors stored before profiles existed
   * valid. A custom profile's key also hashes how it cuts and feeds the chip, so that a variant of
   * a built-in profile is never compared with it.
   */
  private space(
    profile: ModelProfile,
    builtIn: boolean,
    embedderPath: string,
    sha256: string,
  ): EmbeddingSpace {
    const entry = this.manifestEntry(embedderPath);
    const weights = entry?.source
      ? `${entry.source.name.replace(/^@[^/]+\//, '')}:${entry.name}@${entry.source.version}`
      : `${path.basename(embedderPath, path.extname(embedderPath))}:sha256-${sha256.slice(0, 12)}`;
    const recipe = builtIn
      ? ''
      : `~${createHash('sha256')
          .update(JSON.stringify([profile.chip, profile.embedder.input, profile.detector.family]))
          .digest('hex')
          .slice(0, 8)}`;
    return {
      key: `${weights}${recipe}${profile.flip ? '+flip' : ''}`,
      dimension: profile.embedder.dimension,
    };
  }
}

async function readCustomProfiles(file: string, required: boolean): Promise<CustomProfilesFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    if (required) throw new ProfileError(`PROFILES_FILE ${file} cannot be read`);
    return {};
  }
  try {
    const parsed = JSON.parse(text) as CustomProfilesFile;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    return parsed;
  } catch (error) {
    throw new ProfileError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}
