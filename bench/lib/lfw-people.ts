import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { squaredOffsetFromCentre } from '../../src/face/box.js';
import type { DetectedFace } from '../../src/face/face.types.js';

export interface Person {
  name: string;
  /** Absolute paths of the person's images, in LFW's numbering order (`_0001.jpg` first). */
  images: string[];
}

/**
 * Every person of an LFW-style folder (`<dir>/images/<Name>/<Name>_<NNNN>.jpg`), sorted by name;
 * undefined when the folder does not exist, so callers can fall back to other images.
 */
export function listLfwPeople(dir: string): Person[] | undefined {
  const root = path.resolve(dir, 'images');
  if (!existsSync(root)) return undefined;
  return readdirSync(root)
    .sort()
    .map((name) => ({
      name,
      images: readdirSync(path.join(root, name))
        .filter((f) => /\.jpe?g$/i.test(f))
        .sort()
        .map((f) => path.join(root, name, f)),
    }))
    .filter((p) => p.images.length > 0);
}

/** Every k-th element, so a limited sample is spread over the whole (alphabetical) list. */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (count >= items.length) return [...items];
  const out: T[] = [];
  const step = items.length / count;
  for (let i = 0; i < count; i++) out.push(items[Math.floor(i * step)]!);
  return out;
}

/** A photo of one person, to enrol or to probe with. */
export interface PersonImage {
  person: string;
  file: string;
}

/**
 * The LFW identification protocol's genuine phase (the owner's): enrol the first photo of every
 * person with two or more, probe with the second.
 */
export function frrPlan(people: readonly Person[]): { enrol: PersonImage[]; probes: PersonImage[] } {
  const eligible = people.filter((p) => p.images.length >= 2);
  return {
    enrol: eligible.map((p) => ({ person: p.name, file: p.images[0]! })),
    probes: eligible.map((p) => ({ person: p.name, file: p.images[1]! })),
  };
}

/**
 * Its impostor phase: enrol the first photo of every other person, probe with every photo of the
 * people left out.
 */
export function farPlan(people: readonly Person[]): { enrol: PersonImage[]; probes: PersonImage[] } {
  const enrolled = people.filter((_, i) => i % 2 === 0);
  const strangers = people.filter((_, i) => i % 2 === 1);
  return {
    enrol: enrolled.map((p) => ({ person: p.name, file: p.images[0]! })),
    probes: strangers.flatMap((p) => p.images.map((file) => ({ person: p.name, file }))),
  };
}

/** LFW centres the named person, so the detected face whose box centre is nearest the image centre. */
export function centreFace<T extends Pick<DetectedFace, 'box'>>(
  faces: readonly T[],
  width: number,
  height: number,
): T | undefined {
  const offset = (face: T) => squaredOffsetFromCentre(face.box, width, height);
  return faces.reduce<T | undefined>(
    (best, face) => (!best || offset(face) < offset(best) ? face : best),
    undefined,
  );
}

/** face-api's demo photos (3–6 faces each), the fallback when no LFW folder is present. */
export function demoImagePaths(): string[] {
  const dir = path.join(
    path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')),
    'demo',
  );
  return [1, 2, 3, 4, 5, 6].map((n) => path.join(dir, `sample${n}.jpg`)).filter((f) => existsSync(f));
}
