/**
 * A byte array as a bytea parameter. node-postgres sends a Buffer as bytea; a plain Uint8Array
 * would be serialised as a JSON-ish array, so views are wrapped (without copying) first.
 */
export function bytes(data: Uint8Array | null): Buffer | null {
  return data === null ? null : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
