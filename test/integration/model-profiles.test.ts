import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { ModelRuntime } from '../../src/infra/inference/model-runtime.js';
import { ProfileCatalog } from '../../src/infra/inference/profiles/profile-catalog.js';
import { FaceAnalysisService } from '../../src/pipeline/face-analysis.service.js';
import { ImageIntakeService } from '../../src/pipeline/image-intake.service.js';
import { demoImage } from '../support/face-images.js';
import { writeTinyEmbedder } from '../support/tiny-embedder.js';

const MODELS_DIR = path.resolve('models');

/** A custom profile: MobileFaceNet's detector, a 512-D NCHW/BGR embedder of the deployment's own. */
function customProfile(model: string, overrides: Record<string, unknown> = {}) {
  return {
    extends: 'mobilefacenet',
    description: 'test: MTCNN with a tiny 512-D embedder',
    embedder: {
      model,
      input: {
        name: 'data',
        layout: 'NCHW',
        channels: 'BGR',
        mean: [127.5, 127.5, 127.5],
        std: [127.5, 127.5, 127.5],
      },
      output: 'fc1',
      dimension: 512,
    },
    chip: {
      size: 64,
      alignment: 'five-point',
      template: [
        [22, 25],
        [42, 25],
        [32, 37],
        [24, 48],
        [40, 48],
      ],
    },
    flip: false,
    matching: { threshold: 0.05, margin: 0.01 },
    licence: { summary: 'test weights', commercialUse: true },
    sources: [],
    ...overrides,
  };
}

describe('model profiles a deployment adds (profiles.json)', () => {
  let dir: string;
  let embedder: string;
  const runtimes: ModelRuntime[] = [];

  /** A runtime over the built-in models plus the given custom profiles. */
  async function runtimeWith(profiles: Record<string, unknown>): Promise<ModelRuntime> {
    const file = path.join(dir, `profiles-${runtimes.length}.json`);
    await writeFile(file, JSON.stringify({ profiles }));
    const config = loadConfig({ PROFILES_FILE: file, INFERENCE_WORKERS: '1' });
    const runtime = new ModelRuntime(await ProfileCatalog.load(MODELS_DIR, file), config.models);
    runtimes.push(runtime);
    return runtime;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'profiles-'));
    embedder = path.join(dir, 'tiny-512.onnx');
    await writeTinyEmbedder(embedder, { size: 64, dimension: 512 });
  });

  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.close()));
  });

  it('loads a user-supplied ONNX embedder of another dimension and layout, and serves with it', async () => {
    const runtime = await runtimeWith({ tiny: customProfile(embedder) });
    expect(runtime.names()).toEqual(['mobilefacenet', 'dlib', 'tiny']);
    const models = await runtime.load('tiny');
    // The key names the weights and a hash of how chips are cut and fed; it is never a built-in one.
    expect(models.embedder.space).toEqual({
      key: expect.stringMatching(/^tiny-512:sha256-[0-9a-f]{12}~[0-9a-f]{8}$/),
      dimension: 512,
    });
    const config = loadConfig({});
    const analysis = new FaceAnalysisService(new ImageIntakeService(config), config);
    const { faces } = await analysis.analyze(await demoImage(1), models);
    expect(faces).toHaveLength(3);
    for (const face of faces) {
      expect(face.embedding).toHaveLength(512);
      expect(Math.hypot(...face.embedding)).toBeCloseTo(1, 5);
    }
    // Different faces, different vectors.
    expect(faces[0]!.embedding).not.toEqual(faces[1]!.embedding);
  });

  it('checks a declared sha256 and refuses a file that does not match', async () => {
    const sha256 = createHash('sha256')
      .update(await readFile(embedder))
      .digest('hex');
    const base = customProfile(embedder);
    const ok = await runtimeWith({ pinned: { ...base, embedder: { ...base.embedder, sha256 } } });
    await expect(ok.load('pinned')).resolves.toBeDefined();
    const wrong = sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const runtime = await runtimeWith({ pinned: { ...base, embedder: { ...base.embedder, sha256: wrong } } });
    await expect(runtime.load('pinned')).rejects.toThrow(
      /tiny-512\.onnx is missing or corrupt — fix the file or the sha256 of profile 'pinned' in profiles\.json \(sha256 .* does not match/,
    );
  });

  it('stops with what to do when the profile names a missing file', async () => {
    const runtime = await runtimeWith({ missing: customProfile(path.join(dir, 'nowhere.onnx')) });
    await expect(runtime.load('missing')).rejects.toThrow(
      /nowhere\.onnx is missing or corrupt — .*\(file not found\)/,
    );
  });

  it('stops when ONNX Runtime cannot load the file', async () => {
    const corrupt = path.join(dir, 'corrupt.onnx');
    await writeFile(corrupt, 'this is not a protobuf');
    const runtime = await runtimeWith({ corrupt: customProfile(corrupt) });
    await expect(runtime.load('corrupt')).rejects.toThrow(
      /Model profile 'corrupt' cannot be loaded: Model file .*corrupt\.onnx/,
    );
  });

  it("stops when the model's output does not have the profile's dimension, or its input name is wrong", async () => {
    const base = customProfile(embedder);
    const narrow = await runtimeWith({ narrow: { ...base, embedder: { ...base.embedder, dimension: 256 } } });
    await expect(narrow.load('narrow')).rejects.toThrow(
      /Model profile 'narrow' cannot be served: The embedder returned 512 values per face; profile 'narrow' says embedder\.dimension is 256/,
    );
    const input = { ...base.embedder.input, name: 'input' };
    const renamed = await runtimeWith({ renamed: { ...base, embedder: { ...base.embedder, input } } });
    await expect(renamed.load('renamed')).rejects.toThrow(/Model profile 'renamed' cannot be loaded/);
  });

  it('refuses invalid profiles at load, naming every bad field', async () => {
    const file = path.join(dir, 'invalid.json');
    await writeFile(
      file,
      JSON.stringify({
        profiles: {
          broken: {
            ...customProfile(embedder),
            chip: { size: 64, alignment: 'dlib-68', padding: 0.25 },
            flip: 'yes',
          },
        },
      }),
    );
    await expect(ProfileCatalog.load(MODELS_DIR, file)).rejects.toThrow(
      /profile 'broken': chip\.alignment 'dlib-68' needs 68 landmarks; MTCNN gives five[\s\S]*profile 'broken': flip must be true or false/,
    );
    await writeFile(file, JSON.stringify({ profiles: { dlib: customProfile(embedder) } }));
    await expect(ProfileCatalog.load(MODELS_DIR, file)).rejects.toThrow(/'dlib' is a built-in profile name/);
  });

  it('names the available profiles when FACE_PROFILE is unknown, and the build command when nothing is built', async () => {
    const catalog = await ProfileCatalog.load(MODELS_DIR);
    expect(() => catalog.get('arcface')).toThrow(
      "Unknown model profile 'arcface' (FACE_PROFILE); available: mobilefacenet, dlib",
    );
    const empty = await mkdtemp(path.join(tmpdir(), 'no-models-'));
    await expect(ProfileCatalog.load(empty)).rejects.toThrow(
      /No model profiles in .*manifest\.json: .*run `npm run models`/,
    );
  });

  it("detects a built-in model file altered after install (the manifest's sha256)", async () => {
    const copy = await mkdtemp(path.join(tmpdir(), 'models-copy-'));
    const manifest = JSON.parse(await readFile(path.join(MODELS_DIR, 'manifest.json'), 'utf8')) as {
      profiles: Record<string, unknown>;
    };
    await writeFile(path.join(copy, 'manifest.json'), JSON.stringify(manifest));
    for (const file of ['mtcnn_pnet.onnx', 'mtcnn_rnet.onnx', 'mtcnn_onet.onnx']) {
      await copyFile(path.join(MODELS_DIR, file), path.join(copy, file));
    }
    const bytes = await readFile(path.join(MODELS_DIR, 'mobilefacenet.onnx'));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    await writeFile(path.join(copy, 'mobilefacenet.onnx'), bytes);
    const catalog = await ProfileCatalog.load(copy);
    await expect(catalog.resolve('mobilefacenet')).rejects.toThrow(
      /mobilefacenet\.onnx is missing or corrupt — run `npm run models -- --force` to rebuild the built-in models \(sha256 .* does not match/,
    );
  });
});
