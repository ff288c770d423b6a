/**
 * A reader for dlib's binary serialisation (dlib/serialize.h), enough to read a trained DNN:
 * integers are packed as one control byte (low nibble = byte count, bit 7 = sign) followed by that
 * many little-endian bytes; strings are a packed length and raw bytes; scalar floats are a packed
 * int64 mantissa and int16 exponent; tensors (dlib/dnn/tensor.h, version 2) are a version, four
 * packed dimensions and raw little-endian float32 values.
 */
export interface DlibTensor {
  /** num_samples, k, nr, nc. */
  shape: [number, number, number, number];
  data: Float32Array;
}

export class DlibReader {
  private pos = 0;
  /** First offset of each searched name at or after some earlier position (-1: none left). */
  private readonly nextHit = new Map<string, number>();

  constructor(private readonly buffer: Buffer) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buffer.length - this.pos;
  }

  seek(offset: number): void {
    if (offset < 0 || offset > this.buffer.length) throw this.error(`seek to ${offset} is out of range`);
    this.pos = offset;
  }

  int(): number {
    const control = this.byte();
    const size = control & 0x0f;
    if (size > 8 || (control & 0x70) !== 0)
      throw this.error(`bad integer control byte 0x${control.toString(16)}`);
    let value = 0;
    for (let i = 0; i < size; i++) value += this.byte() * 2 ** (8 * i);
    if (!Number.isSafeInteger(value)) throw this.error('integer is too large');
    return control & 0x80 ? -value : value;
  }

  string(maxLength = 1 << 16): string {
    const length = this.int();
    if (length < 0 || length > maxLength) throw this.error(`string length ${length} is implausible`);
    return this.bytes(length).toString('latin1');
  }

  /** dlib's portable float: mantissa · 2^exponent. */
  float(): number {
    const mantissa = this.int();
    const exponent = this.int();
    return mantissa * 2 ** exponent;
  }

  tensor(): DlibTensor {
    const version = this.int();
    if (version !== 2) throw this.error(`tensor version ${version} is not supported`);
    const shape: DlibTensor['shape'] = [this.int(), this.int(), this.int(), this.int()];
    const count = shape.reduce((a, b) => a * b, 1);
    if (shape.some((d) => d < 0) || count * 4 > this.remaining) {
      throw this.error(`tensor of shape [${shape.join()}] does not fit in the file`);
    }
    const raw = this.bytes(count * 4);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = raw.readFloatLE(4 * i);
    return { shape, data };
  }

  /**
   * Offset of the next serialised string equal to one of `names` (its length byte), or -1.
   * dlib writes each layer's type name (e.g. "con_4") before the layer's parameters, so this finds
   * layers without modelling every wrapper (tags, skips, repeats) between them.
   */
  findString(names: readonly string[]): { offset: number; name: string } | undefined {
    let best: { offset: number; name: string } | undefined;
    for (const name of names) {
      // A remembered hit at or past the position is still the first one; anything else is rescanned
      // (a name that occurs only at the end would otherwise cost a scan of the whole file per call).
      let offset = this.nextHit.get(name);
      if (offset === undefined || (offset >= 0 && offset < this.pos)) {
        const needle = Buffer.concat([Buffer.from([0x01, name.length]), Buffer.from(name, 'latin1')]);
        offset = this.buffer.indexOf(needle, this.pos);
        this.nextHit.set(name, offset);
      }
      if (offset >= 0 && (!best || offset < best.offset)) best = { offset, name };
    }
    return best;
  }

  private byte(): number {
    if (this.pos >= this.buffer.length) throw this.error('unexpected end of file');
    return this.buffer[this.pos++]!;
  }

  private bytes(count: number): Buffer {
    if (this.pos + count > this.buffer.length) throw this.error('unexpected end of file');
    const slice = this.buffer.subarray(this.pos, this.pos + count);
    this.pos += count;
    return slice;
  }

  private error(message: string): Error {
    return new Error(`dlib file, offset ${this.pos}: ${message}`);
  }
}
