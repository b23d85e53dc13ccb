/**
 * Byte ranges inside already-encoded objects, found with a few length reads and no decoding, so ids and signing
 * hashes come straight from the bytes we received (no re-encoding). Bounds are checked: inconsistent input throws
 * CodecError, but the functions assume the bytes passed decodeMessage and do not re-validate the rules.
 */
import { ID_LENGTH, PAYLOAD_TYPE_MILESTONE, PAYLOAD_TYPE_TRANSACTION } from "../params/protocol.js";
import { MERKLE_PROOF_LENGTH, OUTPUT_LENGTH, PUBLIC_KEY_LENGTH, UTXO_INPUT_LENGTH } from "./limits.js";
import { expectPayloadType } from "./payloadFrame.js";
import { ByteReader } from "./reader.js";

/** The parents of an encoded message, as views into `messageBytes` (no copy). */
export function messageParents(messageBytes: Uint8Array): Uint8Array[] {
  const r = new ByteReader(messageBytes, 8);
  const count = r.u8("parents");
  const parents: Uint8Array[] = [];
  for (let i = 0; i < count; i++) parents.push(r.bytesView(ID_LENGTH, "parents"));
  return parents;
}

/** The payload bytes of an encoded message (from its u32 type, without the length prefix), or null if it has none. */
export function messagePayloadBytes(messageBytes: Uint8Array): Uint8Array | null {
  const r = new ByteReader(messageBytes, 8);
  const parents = r.u8("parents");
  r.skip(parents * ID_LENGTH, "parents");
  const length = r.u32("payload");
  if (length === 0) return null;
  return r.bytesView(length, "payload");
}

/** The essence bytes (the signed part, TIP-7) of an encoded transaction payload that starts at its u32 type. */
export function transactionEssenceBytes(transactionPayloadBytes: Uint8Array): Uint8Array {
  const r = new ByteReader(transactionPayloadBytes);
  expectPayloadType(r, PAYLOAD_TYPE_TRANSACTION, "transaction");
  const start = r.pos;
  r.skip(1, "transaction.essence.type");
  r.skip(r.u16("transaction.essence.inputs") * UTXO_INPUT_LENGTH, "transaction.essence.inputs");
  r.skip(r.u16("transaction.essence.outputs") * OUTPUT_LENGTH, "transaction.essence.outputs");
  r.skip(r.u32("transaction.essence.payload"), "transaction.essence.payload");
  return transactionPayloadBytes.subarray(start, r.pos);
}

/** The signed milestone essence (index through the receipt, TIP-8) of an encoded milestone payload. */
export function milestoneEssenceBytes(milestonePayloadBytes: Uint8Array): Uint8Array {
  const r = new ByteReader(milestonePayloadBytes);
  expectPayloadType(r, PAYLOAD_TYPE_MILESTONE, "milestone");
  const start = r.pos;
  r.skip(4 + 8, "milestone");
  r.skip(r.u8("milestone.parents") * ID_LENGTH, "milestone.parents");
  r.skip(MERKLE_PROOF_LENGTH + 4 + 4, "milestone");
  r.skip(r.u8("milestone.publicKeys") * PUBLIC_KEY_LENGTH, "milestone.publicKeys");
  r.skip(r.u32("milestone.receipt"), "milestone.receipt");
  return milestonePayloadBytes.subarray(start, r.pos);
}
