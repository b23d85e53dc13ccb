/**
 * Identifiers and signing hashes (chrysalis.md §1.1, §3.1, §5.1), all BLAKE2b-256. The `FromBytes` variants hash the
 * bytes as received (use spans.ts to cut them out of a message); the others encode the object first.
 */
import { blake2b256 } from "../crypto/blake2b.js";
import { ID_LENGTH, OUTPUT_ID_LENGTH } from "../params/protocol.js";
import { bytesToHex, hexToBytes, isHex } from "../primitives/hex.js";
import { CodecError } from "./codecError.js";
import { encodeMilestoneEssence, encodeMilestonePayload } from "./milestone.js";
import { milestoneEssenceBytes, transactionEssenceBytes } from "./spans.js";
import { encodeTransactionEssence, encodeTransactionPayload } from "./transaction.js";
import type { MilestonePayload, TransactionEssence, TransactionPayload } from "./types.js";

/** TIP-6: BLAKE2b-256 of the whole serialized message, nonce included. */
export function messageId(messageBytes: Uint8Array): Uint8Array {
  return blake2b256(messageBytes);
}

/** TIP-7: BLAKE2b-256 of the transaction payload bytes, from the u32 type 0 through the unlock blocks. */
export function transactionIdFromBytes(transactionPayloadBytes: Uint8Array): Uint8Array {
  return blake2b256(transactionPayloadBytes);
}

export function transactionId(payload: TransactionPayload): Uint8Array {
  return blake2b256(encodeTransactionPayload(payload));
}

/** TIP-7 signing message: BLAKE2b-256 of the essence bytes (from the essence type through its payload). */
export function essenceHashFromBytes(essenceBytes: Uint8Array): Uint8Array {
  return blake2b256(essenceBytes);
}

export function essenceHash(essence: TransactionEssence): Uint8Array {
  return blake2b256(encodeTransactionEssence(essence));
}

/** Essence hash of an encoded transaction payload, cut out without decoding. */
export function essenceHashOfTransactionBytes(transactionPayloadBytes: Uint8Array): Uint8Array {
  return blake2b256(transactionEssenceBytes(transactionPayloadBytes));
}

/** TIP-8: what every milestone signature signs; computed from the encoded milestone payload (type through signatures). */
export function milestoneEssenceHashFromBytes(milestonePayloadBytes: Uint8Array): Uint8Array {
  return blake2b256(milestoneEssenceBytes(milestonePayloadBytes));
}

export function milestoneEssenceHash(payload: MilestonePayload): Uint8Array {
  return blake2b256(encodeMilestoneEssence(payload));
}

/** TIP-8: BLAKE2b-256 of the whole milestone payload, type and signatures included. */
export function milestoneIdFromBytes(milestonePayloadBytes: Uint8Array): Uint8Array {
  return blake2b256(milestonePayloadBytes);
}

export function milestoneId(payload: MilestonePayload): Uint8Array {
  return blake2b256(encodeMilestonePayload(payload));
}

/** TIP-7 output id: transaction id (or milestone id, for receipts) ‖ u16 LE output index; 34 bytes. */
export function outputId(transactionId: Uint8Array, outputIndex: number): Uint8Array {
  if (transactionId.length !== ID_LENGTH) {
    throw new CodecError("CODEC_ERROR_INVALID_OUTPUT_ID", "transactionId", `expected ${ID_LENGTH} bytes`);
  }
  if (!Number.isInteger(outputIndex) || outputIndex < 0 || outputIndex > 0xffff) {
    throw new CodecError("CODEC_ERROR_INVALID_OUTPUT_ID", "outputIndex", `${outputIndex} is not a u16`);
  }
  const out = new Uint8Array(OUTPUT_ID_LENGTH);
  out.set(transactionId);
  out[ID_LENGTH] = outputIndex & 0xff;
  out[ID_LENGTH + 1] = outputIndex >>> 8;
  return out;
}

/** The 68-character lowercase hex form used by REST and MQTT. */
export function outputIdHex(transactionId: Uint8Array, outputIndex: number): string {
  return bytesToHex(outputId(transactionId, outputIndex));
}

export interface ParsedOutputId {
  transactionId: Uint8Array;
  outputIndex: number;
}

/** Parses a 34-byte output id, or its 68-character hex form (no `0x`). */
export function parseOutputId(id: Uint8Array | string): ParsedOutputId {
  let bytes: Uint8Array;
  if (typeof id === "string") {
    if (id.length !== OUTPUT_ID_LENGTH * 2 || !isHex(id)) {
      throw new CodecError(
        "CODEC_ERROR_INVALID_OUTPUT_ID",
        "outputId",
        `expected ${OUTPUT_ID_LENGTH * 2} hex characters without 0x`,
      );
    }
    bytes = hexToBytes(id);
  } else {
    if (id.length !== OUTPUT_ID_LENGTH) {
      throw new CodecError("CODEC_ERROR_INVALID_OUTPUT_ID", "outputId", `expected ${OUTPUT_ID_LENGTH} bytes`);
    }
    bytes = id;
  }
  return {
    transactionId: bytes.slice(0, ID_LENGTH),
    outputIndex: bytes[ID_LENGTH]! | (bytes[ID_LENGTH + 1]! << 8),
  };
}
