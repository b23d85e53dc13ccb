/** The message (TIP-6, chrysalis.md §1.1–§1.2): the outermost object exchanged by nodes. */
import {
  ID_LENGTH,
  MESSAGE_LENGTH_MAX,
  MESSAGE_LENGTH_MIN,
  PAYLOAD_TYPE_INDEXATION,
  PAYLOAD_TYPE_MILESTONE,
  PAYLOAD_TYPE_TRANSACTION,
} from "../params/protocol.js";
import { CodecError } from "./codecError.js";
import { readIndexationPayload, sizeOfIndexationPayload, writeIndexationPayload } from "./indexation.js";
import { readMilestonePayload, sizeOfMilestonePayload, writeMilestonePayload } from "./milestone.js";
import { readParents, writeParents } from "./parents.js";
import { enterPayload, exitPayload, expectEnd } from "./payloadFrame.js";
import { asPlainBytes, ByteReader } from "./reader.js";
import { readTransactionPayload, sizeOfTransactionPayload, writeTransactionPayload } from "./transaction.js";
import type { DecodeMode, Message, MessagePayload } from "./types.js";
import { ByteWriter } from "./writer.js";

/** TIP-6: a message carries a transaction, a milestone or an indexation; receipts and treasury transactions never. */
const MESSAGE_PAYLOADS = [PAYLOAD_TYPE_TRANSACTION, PAYLOAD_TYPE_MILESTONE, PAYLOAD_TYPE_INDEXATION] as const;

/**
 * Decodes a message. "untrusted" applies every syntactic rule of TIP-6/7/8/17 except the PoW score and the network id
 * (node rules, checked by the pipeline); "trusted" (bytes from our own store) only stays memory-safe.
 * Throws only CodecError. Byte fields of the result are views into `bytes`.
 */
export function decodeMessage(bytes: Uint8Array, mode: DecodeMode): Message {
  if (mode === "untrusted") {
    if (bytes.length > MESSAGE_LENGTH_MAX) {
      throw new CodecError(
        "CODEC_ERROR_MESSAGE_TOO_LARGE",
        "message",
        `message is ${bytes.length} bytes, the maximum is ${MESSAGE_LENGTH_MAX} (TIP-6)`,
      );
    }
    if (bytes.length < MESSAGE_LENGTH_MIN) {
      throw new CodecError(
        "CODEC_ERROR_MESSAGE_TOO_SMALL",
        "message",
        `message is ${bytes.length} bytes, the minimum is ${MESSAGE_LENGTH_MIN} (TIP-6)`,
      );
    }
  }
  const r = new ByteReader(asPlainBytes(bytes));
  const networkId = r.u64("networkId");
  const parents = readParents(r, mode, "parents");
  const payload = readMessagePayload(r, mode);
  const nonce = r.u64("nonce");
  expectEnd(r, "message");
  return { networkId, parents, payload, nonce };
}

function readMessagePayload(r: ByteReader, mode: DecodeMode): MessagePayload | null {
  const length = r.u32("payload");
  if (length === 0) return null;
  const frame = enterPayload(r, length, MESSAGE_PAYLOADS, "a message", "payload");
  const type = r.bytes[r.pos]!;
  const payload =
    type === PAYLOAD_TYPE_TRANSACTION
      ? readTransactionPayload(r, mode, "payload")
      : type === PAYLOAD_TYPE_MILESTONE
        ? readMilestonePayload(r, mode, "payload")
        : readIndexationPayload(r, mode, "payload");
  exitPayload(r, frame, "payload");
  return payload;
}

export function sizeOfMessagePayload(p: MessagePayload): number {
  switch (p.type) {
    case PAYLOAD_TYPE_TRANSACTION:
      return sizeOfTransactionPayload(p);
    case PAYLOAD_TYPE_MILESTONE:
      return sizeOfMilestonePayload(p);
    case PAYLOAD_TYPE_INDEXATION:
      return sizeOfIndexationPayload(p);
    default:
      throw new CodecError(
        "CODEC_ERROR_INVALID_VALUE",
        "payload.type",
        `payload type ${(p as { type: unknown }).type} is not allowed in a message (0, 1 or 2)`,
      );
  }
}

/** Serialized length of `msg` in bytes. */
export function sizeOfMessage(msg: Message): number {
  return (
    8 + 1 + msg.parents.length * ID_LENGTH + 4 + (msg.payload === null ? 0 : sizeOfMessagePayload(msg.payload)) + 8
  );
}

/**
 * Serializes `msg`. Checks only that every field fits its wire format (CODEC_ERROR_INVALID_VALUE); protocol rules are
 * the decoder's job, so an API that builds messages validates with decodeMessage(bytes, "untrusted").
 */
export function encodeMessage(msg: Message): Uint8Array {
  const w = new ByteWriter(sizeOfMessage(msg));
  w.u64(msg.networkId, "networkId");
  writeParents(w, msg.parents, "parents");
  const p = msg.payload;
  if (p === null) {
    w.u32(0, "payload");
  } else {
    w.u32(sizeOfMessagePayload(p), "payload");
    if (p.type === PAYLOAD_TYPE_TRANSACTION) writeTransactionPayload(w, p, "payload");
    else if (p.type === PAYLOAD_TYPE_MILESTONE) writeMilestonePayload(w, p, "payload");
    else writeIndexationPayload(w, p, "payload");
  }
  w.u64(msg.nonce, "nonce");
  return w.bytes;
}
