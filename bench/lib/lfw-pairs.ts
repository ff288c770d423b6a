import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface LfwPair {
  same: boolean;
  a: string;
  b: string;
}

/** `images/<Name>/<Name>_<NNNN>.jpg`, relative to the LFW directory. */
export function lfwImagePath(name: string, index: number): string {
  return path.join('images', name, `${name}_${String(index).padStart(4, '0')}.jpg`);
}

/**
 * Parses an LFW pairs file (View 1 `pairsDevTrain.txt`/`pairsDevTest.txt`: a count line, then
 * `Name i j` for same-person and `Name1 i Name2 j` for different-person pairs). Fields are
 * separated by tabs or spaces.
 */
export function parsePairs(file: string): LfwPair[] {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const pairs: LfwPair[] = [];
  for (const [n, line] of lines.slice(1).entries()) {
    const f = line.split(/\s+/);
    if (f.length === 3) {
      pairs.push({ same: true, a: lfwImagePath(f[0]!, Number(f[1])), b: lfwImagePath(f[0]!, Number(f[2])) });
    } else if (f.length === 4) {
      pairs.push({ same: false, a: lfwImagePath(f[0]!, Number(f[1])), b: lfwImagePath(f[2]!, Number(f[3])) });
    } else {
      throw new Error(`${file}:${n + 2}: expected 3 or 4 fields, got ${f.length}`);
    }
  }
  return pairs;
}

/** The first `limit / 2` same-person and `limit / 2` different-person pairs (for quick runs). */
export function limitPairs(pairs: LfwPair[], limit?: number): LfwPair[] {
  if (!limit || limit >= pairs.length) return pairs;
  const half = Math.ceil(limit / 2);
  return [...pairs.filter((p) => p.same).slice(0, half), ...pairs.filter((p) => !p.same).slice(0, half)];
}
