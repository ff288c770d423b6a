import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseOptions } from './lib/args.js';
import { listLfwPeople, spread } from './lib/lfw-people.js';
import { info, machineInfo, printJson, printTable } from './lib/report.js';
import { benchConfig, startPipeline } from './lib/setup.js';
import { round, summarize } from './lib/stats.js';

/**
 * What the stored face crops cost: each enrolled or cached face keeps a JPEG crop (FACE_CROP_SIZE,
 * FACE_CROP_QUALITY) so the gallery can be re-embedded into another profile. Runs the production
 * analysis (`analyze(…, { crops: true })`) on the first photo of `--people` LFW people and reports
 * the bytes of the largest face's crop, beside the bytes of its vector.
 *
 *   npm run bench:crops -- [--people 200] [--dir ../shared/lfw-dev] [--profile NAME]
 */

const args = parseOptions({
  people: { type: 'string', default: '200' },
  dir: { type: 'string', default: '../shared/lfw-dev' },
  profile: { type: 'string' },
});

async function main(): Promise<void> {
  const dir = args.string('dir');
  const people = listLfwPeople(dir);
  if (!people) throw new Error(`no LFW folder at ${dir}`);
  const config = benchConfig();
  const pipeline = await startPipeline(config, args.optionalString('profile'));
  const sizes: number[] = [];
  let dimension = 0;
  try {
    for (const person of spread(people, args.number('people'))) {
      const bytes = readFileSync(person.images[0]!);
      const { faces } = await pipeline.analysis.analyze(bytes, pipeline.models, { crops: true });
      const largest = faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
      if (!largest?.crop) continue;
      sizes.push(largest.crop.jpeg.byteLength);
      dimension = largest.embedding.length;
    }
  } finally {
    await pipeline.close();
  }
  const s = summarize(sizes);
  info(`${sizes.length} crops from LFW ${path.resolve(dir)}`);
  printTable(
    `Stored face crops (FACE_CROP_SIZE ${config.crops.size}, FACE_CROP_QUALITY ${config.crops.quality})`,
    ['faces', 'crop mean B', 'p50 B', 'p95 B', 'vector B'],
    [[sizes.length, round(s.mean, 0), round(s.p50, 0), round(s.p95, 0), dimension * 4]],
  );
  printJson({
    benchmark: 'crops',
    machine: machineInfo(),
    crops: config.crops,
    bytes: s,
    vectorBytes: dimension * 4,
  });
}

void main();
