import { describe, expect, it } from 'vitest';

import { FlatBuffer } from './flatbuffer.js';

/**
 * A FlatBuffer laid out by hand (byte positions in the comments), so the reader is checked
 * against the format itself rather than against a writer that could share its mistakes.
 *
 * Root table fields: 0 i32 = -7 · 1 absent (default) · 2 string "hi" · 3 [int] [1, 2, 3] ·
 * 4/5 union (type 2, a sub-table) · 6 f32 1.5 · 7 [table] of two sub-tables (99 and 7).
 */
function handBuilt(): Uint8Array {
  const bytes = new Uint8Array(120);
  const v = new DataView(bytes.buffer);
  const u16 = (at: number, x: number) => v.setUint16(at, x, true);
  const i32 = (at: number, x: number) => v.setInt32(at, x, true);
  const uoffset = (at: number, target: number) => v.setUint32(at, target - at, true);

  uoffset(0, 28); // root table
  bytes.set(
    [...'TEST'].map((c) => c.charCodeAt(0)),
    4,
  );
  // Root vtable at 8: its size, the table's size, then one offset per field (0 = absent).
  [20, 32, 4, 0, 8, 12, 24, 16, 20, 28].forEach((x, i) => u16(8 + 2 * i, x));
  // Root table at 28.
  i32(28, 28 - 8); // soffset back to the vtable
  i32(32, -7);
  uoffset(36, 60); // string
  uoffset(40, 68); // [int]
  uoffset(44, 104); // union value
  v.setFloat32(48, 1.5, true);
  bytes[52] = 2; // union type
  uoffset(56, 84); // [table]
  // String at 60: length, bytes, NUL.
  v.setUint32(60, 2, true);
  bytes.set([104, 105, 0], 64);
  // [int] at 68.
  [3, 1, 2, 3].forEach((x, i) => i32(68 + 4 * i, x));
  // [table] at 84: two uoffsets to the sub-tables.
  v.setUint32(84, 2, true);
  uoffset(88, 104);
  uoffset(92, 112);
  // Sub-table vtable at 96 (one i32 field at +4), shared by both sub-tables.
  [6, 8, 4].forEach((x, i) => u16(96 + 2 * i, x));
  i32(104, 104 - 96);
  i32(108, 99);
  i32(112, 112 - 96);
  i32(116, 7);
  return bytes;
}

describe('FlatBuffer', () => {
  const fb = new FlatBuffer(handBuilt());
  const root = fb.root();

  it('reads the file identifier and scalar fields', () => {
    expect(fb.identifier()).toBe('TEST');
    expect(root.i32(0)).toBe(-7);
    expect(root.f32(6)).toBe(1.5);
  });

  it('gives absent fields, and fields past the end of the vtable, their defaults', () => {
    expect(root.has(1)).toBe(false);
    expect(root.i32(1, 42)).toBe(42);
    expect(root.i32(30, 5)).toBe(5);
    expect(root.string(1)).toBeUndefined();
    expect(root.i32s(1)).toEqual([]);
    expect(root.tables(30)).toEqual([]);
  });

  it('reads a string and vectors of scalars and of tables', () => {
    expect(root.string(2)).toBe('hi');
    expect(root.i32s(3)).toEqual([1, 2, 3]);
    expect(root.tables(7).map((t) => t.i32(0))).toEqual([99, 7]);
  });

  it('reads a union as a type slot followed by a table slot', () => {
    const { type, value } = root.union(4);
    expect(type).toBe(2);
    expect(value?.i32(0)).toBe(99);
    // An absent type slot is NONE.
    expect(root.union(1)).toEqual({ type: 0, value: undefined });
  });

  it('refuses offsets that leave the buffer', () => {
    const truncated = new FlatBuffer(handBuilt().subarray(0, 70));
    expect(() => truncated.root().i32s(3)).toThrow(/outside the 70-byte buffer/);
  });
});
