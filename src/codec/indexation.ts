/** Indexation payload, type 2 (TIP-6, chrysalis.md §1.3). */
import {
  INDEXATION_INDEX_LENGTH_MAX,
  INDEXATION_INDEX_LENGTH_MIN,
  PAYLOAD_TYPE_INDEXATION,
} from "../params/protocol.js";
import { CodecError } from "./codecError.js";
import { expectPayloadType } from "./payloadFrame.js";
import type { ByteReader } from "./reader.js";
import { decodeWhole, encodeWhole } from "./standalone.js";
import type { DecodeMode, IndexationPayload } from "./types.js";
import type { ByteWriter } from "./writer.js";

export function readIndexationPayload(r: ByteReader, mode: DecodeMode, path: string): IndexationPayload {
  expectPayloadType(r, PAYLOAD_TYPE_INDEXATION, path);
  const lengthOffset = r.pos;
  const indexLength = r.u16(path);
  // MUST (TIP-6): the index is 1..64 bytes.
  if (
    mode === "untrusted" &&
    (indexLength < INDEXATION_INDEX_LENGTH_MIN || indexLength > INDEXATION_INDEX_LENGTH_MAX)
  ) {
    throw new CodecError(
      "CODEC_ERROR_INDEX_LENGTH",
      `${path}.index`,
      `index is ${indexLength} bytes, must be ${INDEXATION_INDEX_LENGTH_MIN}..${INDEXATION_INDEX_LENGTH_MAX} (TIP-6)`,
      lengthOffset,
    );
  }
  const index = r.bytesView(indexLength, path);
  const dataLength = r.u32(path);
  const data = r.bytesView(dataLength, path);
  return { type: PAYLOAD_TYPE_INDEXATION, index, data };
}

export function sizeOfIndexationPayload(p: IndexationPayload): number {
  return 4 + 2 + p.index.length + 4 + p.data.length;
}

export function writeIndexationPayload(w: ByteWriter, p: IndexationPayload, path: string): void {
  w.u32(PAYLOAD_TYPE_INDEXATION, path, -1, "type");
  w.prefixed(p.index, 2, path, -1, "index");
  w.prefixed(p.data, 4, path, -1, "data");
}

/** Decodes a standalone indexation payload (starting at its u32 type); no bytes may follow. */
export function decodeIndexationPayload(bytes: Uint8Array, mode: DecodeMode): IndexationPayload {
  return decodeWhole(bytes, mode, "indexation", readIndexationPayload);
}

export function encodeIndexationPayload(p: IndexationPayload): Uint8Array {
  return encodeWhole(p, sizeOfIndexationPayload(p), "indexation", writeIndexationPayload);
}
