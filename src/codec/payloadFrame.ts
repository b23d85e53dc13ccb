/**
 * The length-prefixed payload frame shared by every level (chrysalis.md §0.3, hive.go ReadPayload): a u32 length,
 * 0 meaning "no payload"; otherwise a u32 type and a body that must consume exactly `length` bytes.
 */
import {
  PAYLOAD_TYPE_INDEXATION,
  PAYLOAD_TYPE_MILESTONE,
  PAYLOAD_TYPE_RECEIPT,
  PAYLOAD_TYPE_TRANSACTION,
  PAYLOAD_TYPE_TREASURY_TRANSACTION,
} from "../params/protocol.js";
import { CodecError } from "./codecError.js";
import type { ByteReader } from "./reader.js";

const PAYLOAD_NAMES: Record<number, string> = {
  [PAYLOAD_TYPE_TRANSACTION]: "transaction (0)",
  [PAYLOAD_TYPE_MILESTONE]: "milestone (1)",
  [PAYLOAD_TYPE_INDEXATION]: "indexation (2)",
  [PAYLOAD_TYPE_RECEIPT]: "receipt (3)",
  [PAYLOAD_TYPE_TREASURY_TRANSACTION]: "treasury transaction (4)",
};

/** Saved reader limits, restored by `exitPayload`. */
export interface PayloadFrame {
  end: number;
  payloadLimit: boolean;
}

/**
 * Narrows the reader to a payload of `length` (> 0) bytes and returns its u32 type without consuming it.
 * Throws when the type is unknown or not among `allowed` at this level.
 */
export function enterPayload(
  r: ByteReader,
  length: number,
  allowed: readonly number[],
  level: string,
  path: string,
): PayloadFrame {
  r.need(length, path);
  const frame: PayloadFrame = { end: r.end, payloadLimit: r.payloadLimit };
  r.end = r.pos + length;
  r.payloadLimit = true;
  const typeOffset = r.pos;
  const type = r.u32(`${path}.type`);
  r.pos = typeOffset;
  if (!allowed.includes(type)) {
    const name = PAYLOAD_NAMES[type];
    if (name === undefined) {
      throw new CodecError(
        "CODEC_ERROR_INVALID_PAYLOAD_TYPE",
        `${path}.type`,
        `unknown payload type ${type}`,
        typeOffset,
      );
    }
    throw new CodecError(
      "CODEC_ERROR_PAYLOAD_TYPE_NOT_ALLOWED",
      `${path}.type`,
      `a ${name} payload is not allowed in ${level} (allowed: ${allowed.map((t) => PAYLOAD_NAMES[t]).join(", ")})`,
      typeOffset,
    );
  }
  return frame;
}

/** MUST (hive.go ReadPayload): the payload consumed exactly its declared length. */
export function exitPayload(r: ByteReader, frame: PayloadFrame, path: string): void {
  if (r.pos !== r.end) {
    throw new CodecError(
      "CODEC_ERROR_PAYLOAD_LENGTH_MISMATCH",
      path,
      `payload ends ${r.end - r.pos} bytes before its declared length (a payload must fit its length exactly)`,
      r.pos,
    );
  }
  r.end = frame.end;
  r.payloadLimit = frame.payloadLimit;
}

/** MUST (TIP-6): no bytes may follow the outermost object. */
export function expectEnd(r: ByteReader, path: string): void {
  if (r.pos !== r.end) {
    throw new CodecError(
      "CODEC_ERROR_TRAILING_BYTES",
      path,
      `${r.end - r.pos} trailing bytes after the end of the ${path}`,
      r.pos,
    );
  }
}

/** Checks the u32 type at the start of a payload decoded on its own. */
export function expectPayloadType(r: ByteReader, expected: number, path: string): void {
  const offset = r.pos;
  const type = r.u32(`${path}.type`);
  if (type !== expected) {
    throw new CodecError(
      PAYLOAD_NAMES[type] === undefined ? "CODEC_ERROR_INVALID_PAYLOAD_TYPE" : "CODEC_ERROR_PAYLOAD_TYPE_NOT_ALLOWED",
      `${path}.type`,
      `expected a ${PAYLOAD_NAMES[expected]} payload, got type ${type}`,
      offset,
    );
  }
}
