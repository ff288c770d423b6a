import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mainFace } from '../../src/pipeline/face-analysis.service.js';
import { listLfwPeople, spread } from './lfw-people.js';
import { info, progress } from './report.js';
import { benchConfig, startPipeline } from './setup.js';

interface CachedPairs {
  dir: string;
  people: number;
  /** The embedding space the vectors belong to. */
  space: string;
  pairs: [number[], number[]][];
}

/**
 * Production embeddings (largest face, as the service picks) of the first two photos of up to
 * `people` LFW people with two or more photos, spread over the alphabet, with one model profile.
 * Pairs where either photo has no detected face are skipped. Cached in `cacheFile` (per profile),
 * since embedding takes minutes.
 */
export async function lfwEmbeddingPairs(
  dir: string,
  people: number,
  profile: string,
  cacheFile: string,
): Promise<{ space: string; pairs: [Float32Array, Float32Array][] }> {
  const resolved = path.resolve(dir);
  if (existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as CachedPairs;
    if (cached.dir === resolved && cached.people === people && cached.space) {
      info(`using ${cached.pairs.length} cached embedding pairs from ${cacheFile} (${cached.space})`);
      return {
        space: cached.space,
        pairs: cached.pairs.map(([a, b]) => [Float32Array.from(a), Float32Array.from(b)]),
      };
    }
  }
  const all = listLfwPeople(dir);
  if (!all) throw new Error(`no LFW folder at ${dir}`);
  const chosen = spread(
    all.filter((p) => p.images.length >= 2),
    people,
  );
  const pipeline = await startPipeline(benchConfig(), profile);
  const space = pipeline.models.embedder.space.key;
  const pairs: [Float32Array, Float32Array][] = [];
  try {
    const tick = progress(`embed LFW pairs (${profile})`, chosen.length);
    for (const [i, person] of chosen.entries()) {
      const [a, b] = await Promise.all(
        person.images.slice(0, 2).map(async (file) => {
          const result = await pipeline.analysis.analyze(readFileSync(file), pipeline.models);
          return result.faces.length > 0 ? mainFace(result.faces, result.image).embedding : undefined;
        }),
      );
      if (a && b) pairs.push([a, b]);
      tick(i + 1);
    }
    const cache: CachedPairs = {
      dir: resolved,
      people,
      space,
      pairs: pairs.map(([a, b]) => [Array.from(a), Array.from(b)]),
    };
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, JSON.stringify(cache));
  } finally {
    await pipeline.close();
  }
  info(`embedded ${pairs.length} same-person pairs (of ${chosen.length} people) in ${space}`);
  return { space, pairs };
}
