/**
 * The protobuf wire format, read in place: varints, fixed-width numbers and length-delimited
 * fields over one Uint8Array, every read bounds-checked against the end of the message being read
 * (`end`). Small and monomorphic so the JIT can inline it into a hand-written decoder; web-standard
 * only (no Buffer), for Bun and Workers alike.
 */

/** A body that is not the message it claims to be; the message names what and where. */
export class MalformedProtobuf extends Error {}

export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const I32 = 5;

export class WireReader {
  pos = 0;
  /** End of the message being read; `enter` narrows it to a sub-message, `leave` restores it. */
  end: number;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array) {
    this.end = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private byte(): number {
    if (this.pos >= this.end) throw new MalformedProtobuf(`a varint runs past the end of its message at byte ${this.pos}`);
    return this.buf[this.pos++] as number;
  }

  /** A varint's low 32 bits, unsigned (as uint32 fields and tags read it). */
  uint32(): number {
    let b = this.byte();
    if (b < 0x80) return b;
    let value = b & 0x7f;
    b = this.byte();
    value |= (b & 0x7f) << 7;
    if (b < 0x80) return value;
    b = this.byte();
    value |= (b & 0x7f) << 14;
    if (b < 0x80) return value;
    b = this.byte();
    value |= (b & 0x7f) << 21;
    if (b < 0x80) return value;
    b = this.byte();
    value |= (b & 0x0f) << 28;
    // Up to five more bytes carry the high bits of a 64-bit varint, which a 32-bit field drops.
    for (let i = 0; i < 5 && b >= 0x80; i++) b = this.byte();
    if (b >= 0x80) throw new MalformedProtobuf(`a varint longer than 10 bytes at byte ${this.pos}`);
    return value >>> 0;
  }

  /** A field tag; field number 0 does not exist. */
  tag(message: string): number {
    const tag = this.uint32();
    if (tag >>> 3 === 0) throw new MalformedProtobuf(`${message}: field number 0 at byte ${this.pos}`);
    return tag;
  }

  /** An int64 varint as a number (two's complement; past 2⁵³ it rounds, as JSON numbers do). */
  int64(): number {
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let i = 0; i < 4; i++) {
      b = this.byte();
      lo |= (b & 0x7f) << (i * 7);
      if (b < 0x80) return lo >>> 0;
    }
    b = this.byte();
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >> 4;
    for (let i = 0; b >= 0x80; i++) {
      if (i === 5) throw new MalformedProtobuf(`a varint longer than 10 bytes at byte ${this.pos}`);
      b = this.byte();
      hi |= (b & 0x7f) << (i * 7 + 3);
    }
    lo >>>= 0;
    hi >>>= 0;
    if (hi >>> 31 === 0) return hi * 4294967296 + lo;
    // Negative: the value is -(~bits + 1).
    lo = (~lo + 1) >>> 0;
    hi = ~hi >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    return -(hi * 4294967296 + lo);
  }

  /** Where a fixed-width field of `size` bytes starts; moves past it. */
  fixed(size: number): number {
    const at = this.pos;
    if (at + size > this.end) throw new MalformedProtobuf(`a ${size}-byte number at byte ${at} runs past the end of its message`);
    this.pos = at + size;
    return at;
  }

  uint32At(at: number): number {
    return this.view.getUint32(at, true);
  }

  double(): number {
    return this.view.getFloat64(this.fixed(8), true);
  }

  /** A length prefix whose bytes lie within the message; returns where they end. */
  length(what: string): number {
    const length = this.uint32();
    const stop = this.pos + length;
    if (stop > this.end) throw new MalformedProtobuf(`${what} of ${length} bytes at byte ${this.pos} runs past the end of the body`);
    return stop;
  }

  /**
   * Whether the `length` bytes at `a` and at `b` (both within the buffer) are the same, compared
   * four at a time: a byte loop over repeated strings was a fifth of the OTLP decode.
   */
  sameRuns(a: number, b: number, length: number): boolean {
    if (length < 4) {
      const buf = this.buf;
      for (let i = 0; i < length; i++) if (buf[a + i] !== buf[b + i]) return false;
      return true;
    }
    const view = this.view;
    const last = length - 4;
    for (let i = 0; i < last; i += 4) if (view.getInt32(a + i, true) !== view.getInt32(b + i, true)) return false;
    // The last four, overlapping the words before when the length is not a multiple of four.
    return view.getInt32(a + last, true) === view.getInt32(b + last, true);
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytes(): Uint8Array {
    const stop = this.length("a bytes field");
    const start = this.pos;
    this.pos = stop;
    return this.buf.subarray(start, stop);
  }

  /** Narrows reading to the sub-message whose length comes next; returns the outer end for `leave`. */
  enter(): number {
    const stop = this.length("a message");
    const outer = this.end;
    this.end = stop;
    return outer;
  }

  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  /** Skips a field of an unknown number (newer senders add fields); groups are skipped whole, without recursion. */
  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.int64();
        return;
      case I64:
        this.fixed(8);
        return;
      case LEN:
        this.pos = this.length("a field");
        return;
      case I32:
        this.fixed(4);
        return;
      case START_GROUP: {
        let open = 1;
        while (open > 0) {
          const type = this.tag("a group") & 7;
          if (type === START_GROUP) open++;
          else if (type === END_GROUP) open--;
          else this.skip(type);
        }
        return;
      }
      default:
        throw new MalformedProtobuf(`invalid wire type ${wireType} at byte ${this.pos}`);
    }
  }
}
