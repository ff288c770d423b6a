import { Prisma } from '../../generated/prisma/client.js';

/**
 * pgvector's text form, `[x1,x2,...]`. Repositories bind it as a parameter and cast it with
 * `::vector`, so vectors never reach the SQL text itself.
 */
export function toPgVector(vector: ArrayLike<number>): string {
  const parts = new Array<string>(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i]!;
    if (!Number.isFinite(value)) throw new RangeError(`Vector component ${i} is not finite`);
    parts[i] = String(value);
  }
  return `[${parts.join(',')}]`;
}

/** Parses pgvector's text form back into numbers. */
export function fromPgVector(text: string): Float32Array {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner === '' ? new Float32Array(0) : Float32Array.from(inner.split(','), Number);
}

/**
 * The `vector(N)` type of one embedding space, for casts in SQL. A typmod cannot be a bound
 * parameter, so the dimension is written into the statement; it is checked to be a whole number
 * first. The per-space HNSW indexes are built on `embedding::vector(N)`, and a query must cast
 * the same way for the planner to use them.
 */
export function vectorType(dimension: number): Prisma.Sql {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 16_000) {
    throw new RangeError(`Invalid vector dimension ${dimension}`);
  }
  return Prisma.raw(`vector(${dimension})`);
}

/** pgvector's HNSW index accepts `vector` columns of at most this many dimensions. */
export const HNSW_MAX_DIMENSIONS = 2000;
