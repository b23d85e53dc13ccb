/**
 * Bounds-checked little-endian reader over a Uint8Array (chrysalis.md §0.3). Every read checks the remaining length
 * first, so hostile input can only ever produce a CodecError, never an out-of-range read or a large allocation.
 * Byte fields are returned as views (subarray) into the input: no copying on the hot path.
 */
import { CodecError } from "./codecError.js";

const TWO_32 = 0x1_0000_0000;
/** Largest high word of a u64 whose value still fits Number.MAX_SAFE_INTEGER (2^53 - 1). */
const MAX_SAFE_HIGH_WORD = 0x1f_ffff;

export class ByteReader {
  readonly bytes: Uint8Array;
  pos: number;
  /** Reads stop here: the end of the input, or of the payload being parsed (see `payloadLimit`). */
  end: number;
  /** True while `end` is a declared payload length rather than the end of the input. */
  payloadLimit = false;

  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  /** Throws unless `n` more bytes are available. Call before reading or before allocating for `n` bytes. */
  need(n: number, path: string): void {
    if (n > this.end - this.pos) this.fail(n, path);
  }

  private fail(n: number, path: string): never {
    const available = this.end - this.pos;
    if (this.payloadLimit) {
      throw new CodecError(
        "CODEC_ERROR_PAYLOAD_LENGTH_MISMATCH",
        path,
        `needs ${n} bytes but only ${available} remain inside the declared payload length (a payload must fit its length exactly)`,
        this.pos,
      );
    }
    throw new CodecError("CODEC_ERROR_UNEXPECTED_END", path, `needs ${n} bytes but only ${available} remain`, this.pos);
  }

  u8(path: string): number {
    if (this.pos >= this.end) this.fail(1, path);
    return this.bytes[this.pos++]!;
  }

  u16(path: string): number {
    if (this.pos + 2 > this.end) this.fail(2, path);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 2;
    return b[p]! | (b[p + 1]! << 8);
  }

  u32(path: string): number {
    if (this.pos + 4 > this.end) this.fail(4, path);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x100_0000;
  }

  u64(path: string): bigint {
    if (this.pos + 8 > this.end) this.fail(8, path);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 8;
    const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x100_0000;
    const hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16)) + b[p + 7]! * 0x100_0000;
    return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A u64 that must fit a JS number exactly (amounts ≤ supply < 2^53, timestamps). */
  u64Number(path: string): number {
    if (this.pos + 8 > this.end) this.fail(8, path);
    const b = this.bytes;
    const p = this.pos;
    const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x100_0000;
    const hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16)) + b[p + 7]! * 0x100_0000;
    if (hi > MAX_SAFE_HIGH_WORD) {
      throw new CodecError(
        "CODEC_ERROR_INTEGER_TOO_LARGE",
        path,
        "u64 value exceeds 2^53 - 1 (amounts can never exceed the total supply, which is below 2^53)",
        p,
      );
    }
    this.pos = p + 8;
    return hi * TWO_32 + lo;
  }

  /** MUST (hive.go ReadBool): a bool byte is 0 or 1, anything else is invalid. */
  bool(path: string): boolean {
    const v = this.u8(path);
    if (v > 1)
      throw new CodecError("CODEC_ERROR_INVALID_BOOL", path, `bool byte is ${v}, must be 0 or 1`, this.pos - 1);
    return v === 1;
  }

  /** A view of the next `n` bytes. */
  bytesView(n: number, path: string): Uint8Array {
    if (this.pos + n > this.end) this.fail(n, path);
    const p = this.pos;
    this.pos = p + n;
    return this.bytes.subarray(p, p + n);
  }

  skip(n: number, path: string): void {
    if (this.pos + n > this.end) this.fail(n, path);
    this.pos += n;
  }
}

/** Unsigned comparison of `len` bytes at offsets `a` and `b` of the same buffer (like Buffer.compare). */
export function compareAt(bytes: Uint8Array, a: number, b: number, len: number): number {
  for (let i = 0; i < len; i++) {
    const d = bytes[a + i]! - bytes[b + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Plain Uint8Array view of `bytes`, so decoded fields are never Buffer subclasses (stable deep-equality, no Node types). */
export function asPlainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
