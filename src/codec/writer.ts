/**
 * Little-endian writer into a buffer allocated once at the exact size (computed by the sizeOf functions), so
 * encoding never grows or copies. Values are checked against their wire width: a wrong-length id or an integer that
 * does not fit would otherwise silently corrupt every following field.
 *
 * Each method names the field as (path, index, field) and builds the string only when it throws, so encoding a
 * large transaction allocates no path strings.
 */
import { CodecError } from "./codecError.js";

const TWO_32 = 0x1_0000_0000;
const MAX_U64 = 0xffff_ffff_ffff_ffffn;

/** `path`, `path.field` or `path[index].field`. */
function fieldPath(path: string, index: number, field: string): string {
  const base = index < 0 ? path : `${path}[${index}]`;
  return field === "" ? base : `${base}.${field}`;
}

function invalid(path: string, index: number, field: string, message: string): never {
  throw new CodecError("CODEC_ERROR_INVALID_VALUE", fieldPath(path, index, field), message);
}

function isUint(v: number, max: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= max;
}

export class ByteWriter {
  readonly bytes: Uint8Array;
  pos = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  u8(v: number, path: string, index = -1, field = ""): void {
    if (!isUint(v, 0xff)) invalid(path, index, field, `expected an integer in 0..255, got ${String(v)}`);
    this.bytes[this.pos++] = v;
  }

  u16(v: number, path: string, index = -1, field = ""): void {
    if (!isUint(v, 0xffff)) invalid(path, index, field, `expected an integer in 0..65535, got ${String(v)}`);
    const b = this.bytes;
    b[this.pos++] = v & 0xff;
    b[this.pos++] = v >>> 8;
  }

  u32(v: number, path: string, index = -1, field = ""): void {
    if (!isUint(v, 0xffff_ffff)) invalid(path, index, field, `expected an integer in 0..2^32-1, got ${String(v)}`);
    this.writeU32(v);
  }

  private writeU32(v: number): void {
    const b = this.bytes;
    const p = this.pos;
    b[p] = v & 0xff;
    b[p + 1] = (v >>> 8) & 0xff;
    b[p + 2] = (v >>> 16) & 0xff;
    b[p + 3] = v >>> 24;
    this.pos = p + 4;
  }

  u64(v: bigint, path: string, index = -1, field = ""): void {
    if (typeof v !== "bigint" || v < 0n || v > MAX_U64) {
      invalid(path, index, field, `expected a u64 bigint, got ${String(v)}`);
    }
    this.writeU32(Number(v & 0xffff_ffffn));
    this.writeU32(Number(v >> 32n));
  }

  /** A u64 held as a JS number (amounts, timestamps); must be a safe non-negative integer. */
  u64Number(v: number, path: string, index = -1, field = ""): void {
    if (!isUint(v, Number.MAX_SAFE_INTEGER)) {
      invalid(path, index, field, `expected an integer in 0..2^53-1, got ${String(v)}`);
    }
    this.writeU32(v % TWO_32);
    this.writeU32(Math.floor(v / TWO_32));
  }

  bool(v: boolean, path: string, index = -1, field = ""): void {
    if (typeof v !== "boolean") invalid(path, index, field, "expected a boolean");
    this.bytes[this.pos++] = v ? 1 : 0;
  }

  /** Writes `v`, which must be exactly `len` bytes long. */
  fixed(v: Uint8Array, len: number, path: string, index = -1, field = ""): void {
    if (!(v instanceof Uint8Array) || v.length !== len) {
      invalid(path, index, field, `expected ${len} bytes, got ${v instanceof Uint8Array ? v.length : typeof v}`);
    }
    this.bytes.set(v, this.pos);
    this.pos += len;
  }

  /** Writes variable-length bytes preceded by their length as a u16 or u32 (`prefixBytes`). */
  prefixed(v: Uint8Array, prefixBytes: 2 | 4, path: string, index = -1, field = ""): void {
    if (!(v instanceof Uint8Array)) invalid(path, index, field, "expected a Uint8Array");
    if (prefixBytes === 2) this.u16(v.length, path, index, field);
    else this.u32(v.length, path, index, field);
    this.bytes.set(v, this.pos);
    this.pos += v.length;
  }
}
