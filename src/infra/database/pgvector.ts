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
