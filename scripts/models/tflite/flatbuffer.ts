/**
 * A minimal, read-only FlatBuffer reader: just what a `.tflite` file needs (tables with vtables,
 * scalars with schema defaults, strings, vectors of scalars and of tables, inline structs, unions).
 * FlatBuffers are little-endian on every platform, so every read goes through a DataView with
 * `littleEndian = true`. Offsets are checked against the buffer so a truncated or foreign file
 * fails with a message instead of reading garbage.
 *
 * Field numbering follows the schema: the n-th declared field (0-based) has its offset in vtable
 * slot n, stored at byte 4 + 2n of the vtable. A union field declared as `u:U` occupies two slots:
 * `u_type` (a ubyte) in slot n and the table offset in slot n + 1.
 */
export class FlatBuffer {
  readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The root table: a uoffset at byte 0 points at it. */
  root(): Table {
    return new Table(this, this.indirect(0));
  }

  /** The 4-byte file identifier after the root offset ("TFL3" for TensorFlow Lite), or ''. */
  identifier(): string {
    if (this.bytes.length < 8) return '';
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }

  /** Follows a uoffset (unsigned, relative to where it is stored). */
  indirect(position: number): number {
    return this.checked(position + this.u32(position), 0, 'offset');
  }

  u8(position: number): number {
    return this.view.getUint8(this.checked(position, 1, 'u8'));
  }

  i8(position: number): number {
    return this.view.getInt8(this.checked(position, 1, 'i8'));
  }

  u16(position: number): number {
    return this.view.getUint16(this.checked(position, 2, 'u16'), true);
  }

  i32(position: number): number {
    return this.view.getInt32(this.checked(position, 4, 'i32'), true);
  }

  u32(position: number): number {
    return this.view.getUint32(this.checked(position, 4, 'u32'), true);
  }

  f32(position: number): number {
    return this.view.getFloat32(this.checked(position, 4, 'f32'), true);
  }

  /** Throws unless `size` bytes at `position` lie inside the buffer; returns `position`. */
  checked(position: number, size: number, what: string): number {
    if (!Number.isInteger(position) || position < 0 || position + size > this.bytes.length) {
      throw new Error(
        `FlatBuffer: ${what} at byte ${position} lies outside the ${this.bytes.length}-byte buffer`,
      );
    }
    return position;
  }
}

/** A vector's element count and the position of its first element. */
export interface VectorRef {
  start: number;
  length: number;
}

export class Table {
  private readonly vtable: number;
  private readonly vtableSize: number;

  constructor(
    readonly fb: FlatBuffer,
    readonly position: number,
  ) {
    // The table starts with a signed offset back (usually) to its vtable.
    this.vtable = position - fb.i32(position);
    this.vtableSize = fb.u16(this.vtable);
  }

  /** Absolute position of field `index`, or 0 when the field is absent (it then has its default). */
  fieldPosition(index: number): number {
    const slot = 4 + 2 * index;
    if (slot + 2 > this.vtableSize) return 0;
    const offset = this.fb.u16(this.vtable + slot);
    return offset === 0 ? 0 : this.position + offset;
  }

  has(index: number): boolean {
    return this.fieldPosition(index) !== 0;
  }

  u8(index: number, fallback = 0): number {
    const p = this.fieldPosition(index);
    return p ? this.fb.u8(p) : fallback;
  }

  i8(index: number, fallback = 0): number {
    const p = this.fieldPosition(index);
    return p ? this.fb.i8(p) : fallback;
  }

  bool(index: number, fallback = false): boolean {
    const p = this.fieldPosition(index);
    return p ? this.fb.u8(p) !== 0 : fallback;
  }

  i32(index: number, fallback = 0): number {
    const p = this.fieldPosition(index);
    return p ? this.fb.i32(p) : fallback;
  }

  u32(index: number, fallback = 0): number {
    const p = this.fieldPosition(index);
    return p ? this.fb.u32(p) : fallback;
  }

  f32(index: number, fallback = 0): number {
    const p = this.fieldPosition(index);
    return p ? this.fb.f32(p) : fallback;
  }

  /** A sub-table, or undefined when absent. */
  table(index: number): Table | undefined {
    const p = this.fieldPosition(index);
    return p ? new Table(this.fb, this.fb.indirect(p)) : undefined;
  }

  /** A UTF-8 string, or undefined when absent. */
  string(index: number): string | undefined {
    const bytes = this.bytes(index);
    return bytes && new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  }

  /** The vector stored in field `index`, or undefined when absent. */
  vector(index: number, elementSize: number): VectorRef | undefined {
    const p = this.fieldPosition(index);
    if (!p) return undefined;
    const at = this.fb.indirect(p);
    const length = this.fb.u32(at);
    this.fb.checked(at + 4, length * elementSize, 'vector');
    return { start: at + 4, length };
  }

  /** A `[ubyte]` vector (or a string's bytes) as a view into the buffer, not a copy. */
  bytes(index: number): Uint8Array | undefined {
    const v = this.vector(index, 1);
    return v && this.fb.bytes.subarray(v.start, v.start + v.length);
  }

  /** An `[int]` vector; absent reads as empty, as the schema's default for vectors. */
  i32s(index: number): number[] {
    const v = this.vector(index, 4);
    return v ? Array.from({ length: v.length }, (_, i) => this.fb.i32(v.start + 4 * i)) : [];
  }

  /** A vector of tables (each element is a uoffset to its table); absent reads as empty. */
  tables(index: number): Table[] {
    const v = this.vector(index, 4);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => new Table(this.fb, this.fb.indirect(v.start + 4 * i)));
  }

  /** An inline struct's position (read its fields with `fb` at fixed byte offsets), or undefined. */
  struct(index: number): number | undefined {
    const p = this.fieldPosition(index);
    return p || undefined;
  }

  /** A union whose `_type` is slot `index` and whose value is slot `index + 1`. Type 0 is NONE. */
  union(index: number): { type: number; value: Table | undefined } {
    const type = this.u8(index);
    return { type, value: type === 0 ? undefined : this.table(index + 1) };
  }
}
