import { registerDecorator, type ValidationOptions } from 'class-validator';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD (rejects 2023-02-30), not in the future, from 1900 on. */
export function isPastDateOnly(value: unknown, today: Date = new Date()): boolean {
  if (typeof value !== 'string') return false;
  const m = DATE_ONLY.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real && year >= 1900 && value <= today.toISOString().slice(0, 10);
}

export function IsPastDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isPastDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `$property must be a real date in the past, written YYYY-MM-DD`, ...options },
      validator: { validate: (value: unknown) => isPastDateOnly(value) },
    });
}
