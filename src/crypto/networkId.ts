/**
 * Network id of a network name, as nodes compute it (iota.go `NetworkIDFromString`, chrysalis.md §1.4):
 * the first 8 bytes of BLAKE2b-256(utf8(name)) read as a little-endian u64. TIP-6's "type + version" wording is
 * not what any node does.
 */
import { utf8ToBytes } from "../primitives/bytes.js";
import { blake2b256 } from "./blake2b.js";

export function networkIdFromName(name: string): bigint {
  const h = blake2b256(utf8ToBytes(name));
  return new DataView(h.buffer, h.byteOffset, 8).getBigUint64(0, true);
}
