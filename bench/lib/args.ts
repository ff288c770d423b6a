import { parseArgs } from 'node:util';

export type OptionSpec = Record<
  string,
  { type: 'string' | 'boolean'; default?: string | boolean; short?: string }
>;

/**
 * Command-line options with `node:util`'s parser (unknown options are an error, so a typo does
 * not silently run the default benchmark), plus typed accessors that validate numbers.
 */
export function parseOptions<T extends OptionSpec>(spec: T, argv = process.argv.slice(2)) {
  const { values } = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false });
  const raw = values as Record<string, string | boolean | undefined>;
  return {
    string(name: keyof T & string): string {
      const value = raw[name];
      if (typeof value !== 'string') throw new Error(`--${name} is required`);
      return value;
    },
    optionalString(name: keyof T & string): string | undefined {
      const value = raw[name];
      return typeof value === 'string' ? value : undefined;
    },
    number(name: keyof T & string): number {
      const value = raw[name];
      const n = Number(value);
      if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n)) {
        throw new Error(`--${name} must be a number (got ${JSON.stringify(value)})`);
      }
      return n;
    },
    /** A positive integer, or undefined when the option is absent. */
    optionalInt(name: keyof T & string): number | undefined {
      const value = raw[name];
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
      return n;
    },
    /** A comma-separated list of numbers, e.g. `--scores 0.3,0.5,0.7`. */
    numbers(name: keyof T & string): number[] {
      const value = raw[name];
      if (typeof value !== 'string') throw new Error(`--${name} is required`);
      const list = value.split(',').map((s) => Number(s.trim()));
      if (list.length === 0 || list.some((n) => !Number.isFinite(n))) {
        throw new Error(`--${name} must be a comma-separated list of numbers`);
      }
      return list;
    },
    flag(name: keyof T & string): boolean {
      return raw[name] === true;
    },
  };
}
