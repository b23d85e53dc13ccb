/** Parent message ids, shared by the message (TIP-6) and the milestone essence (TIP-8). */
import { ID_LENGTH, MAX_PARENTS, MIN_PARENTS } from "../params/protocol.js";
import { CodecError } from "./codecError.js";
import { type ByteReader, compareAt } from "./reader.js";
import type { DecodeMode } from "./types.js";
import type { ByteWriter } from "./writer.js";

/** Reads a u8 count and that many 32-byte ids; untrusted input must have 1..8, strictly ascending (TIP-6). */
export function readParents(r: ByteReader, mode: DecodeMode, path: string): Uint8Array[] {
  const countOffset = r.pos;
  const count = r.u8(path);
  const untrusted = mode === "untrusted";
  if (untrusted && (count < MIN_PARENTS || count > MAX_PARENTS)) {
    throw new CodecError(
      "CODEC_ERROR_PARENTS_COUNT",
      path,
      `${count} parents, must be ${MIN_PARENTS}..${MAX_PARENTS} (TIP-6)`,
      countOffset,
    );
  }
  r.need(count * ID_LENGTH, path);
  const bytes = r.bytes;
  const parents = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) {
    const off = r.pos;
    if (untrusted && i > 0 && compareAt(bytes, off - ID_LENGTH, off, ID_LENGTH) >= 0) {
      throw new CodecError(
        "CODEC_ERROR_PARENTS_NOT_SORTED",
        `${path}[${i}]`,
        `parent ${i} is not greater than parent ${i - 1} (parents must be strictly ascending, TIP-6)`,
        off,
      );
    }
    parents[i] = bytes.subarray(off, off + ID_LENGTH);
    r.pos = off + ID_LENGTH;
  }
  return parents;
}

export function writeParents(w: ByteWriter, parents: readonly Uint8Array[], path: string): void {
  w.u8(parents.length, path);
  for (let i = 0; i < parents.length; i++) w.fixed(parents[i]!, ID_LENGTH, path, i);
}
