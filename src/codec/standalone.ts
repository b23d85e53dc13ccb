/**
 * Whole-buffer entry points shared by every object's public decode/encode: one object fills the buffer exactly
 * (no trailing bytes, TIP-6), and encoders allocate once at the object's exact size.
 */
import { expectEnd } from "./payloadFrame.js";
import { asPlainBytes, ByteReader } from "./reader.js";
import type { DecodeMode } from "./types.js";
import { ByteWriter } from "./writer.js";

export function decodeWhole<T>(
  bytes: Uint8Array,
  mode: DecodeMode,
  path: string,
  read: (r: ByteReader, mode: DecodeMode, path: string) => T,
): T {
  const r = new ByteReader(asPlainBytes(bytes));
  const value = read(r, mode, path);
  expectEnd(r, path);
  return value;
}

export function encodeWhole<T>(
  value: T,
  size: number,
  path: string,
  write: (w: ByteWriter, value: T, path: string) => void,
): Uint8Array {
  const w = new ByteWriter(size);
  write(w, value, path);
  return w.bytes;
}
