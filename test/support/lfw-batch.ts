import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { LFW_DIR } from './face-images.js';

/** The first stored photo of `count` LFW people, spread across the alphabet (a fixed, repeatable choice). */
export function lfwPeople(count: number): Array<{ name: string; image: Buffer }> {
  const people = readdirSync(path.join(LFW_DIR, 'images')).sort();
  const step = Math.max(1, Math.floor(people.length / count));
  return people
    .filter((_, i) => i % step === 0)
    .slice(0, count)
    .map((name) => {
      // The development set holds a subset of each person's photos: take the first one there.
      const first = readdirSync(path.join(LFW_DIR, 'images', name)).sort()[0]!;
      return {
        name: name.replaceAll('_', ' '),
        image: readFileSync(path.join(LFW_DIR, 'images', name, first)),
      };
    });
}
