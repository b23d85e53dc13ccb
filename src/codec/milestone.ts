/** Milestone payload, type 1 (TIP-8, chrysalis.md §5.1). */
import { ID_LENGTH, MAX_MILESTONE_KEYS, PAYLOAD_TYPE_MILESTONE, PAYLOAD_TYPE_RECEIPT } from "../params/protocol.js";
import { equalBytes } from "../primitives/bytes.js";
import { CodecError } from "./codecError.js";
import { MERKLE_PROOF_LENGTH, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from "./limits.js";
import { readParents, writeParents } from "./parents.js";
import { enterPayload, exitPayload, expectPayloadType } from "./payloadFrame.js";
import { type ByteReader, compareAt } from "./reader.js";
import { readReceiptPayload, sizeOfReceiptPayload, writeReceiptPayload } from "./receipt.js";
import { decodeWhole, encodeWhole } from "./standalone.js";
import type { DecodeMode, Message, MilestonePayload, ReceiptPayload } from "./types.js";
import type { ByteWriter } from "./writer.js";

const MILESTONE_PAYLOADS = [PAYLOAD_TYPE_RECEIPT] as const;

export function readMilestonePayload(r: ByteReader, mode: DecodeMode, path: string): MilestonePayload {
  const untrusted = mode === "untrusted";
  expectPayloadType(r, PAYLOAD_TYPE_MILESTONE, path);
  const index = r.u32(path);
  const timestamp = r.u64Number(`${path}.timestamp`);
  const parents = readParents(r, mode, `${path}.parents`);
  const inclusionMerkleProof = r.bytesView(MERKLE_PROOF_LENGTH, path);
  const scoreOffset = r.pos;
  const nextPoWScore = r.u32(path);
  const nextPoWScoreMilestoneIndex = r.u32(path);
  // MUST (iota.go milestone syntax): a new PoW score needs the milestone index from which it applies.
  if (untrusted && nextPoWScore !== 0 && nextPoWScoreMilestoneIndex === 0) {
    throw new CodecError(
      "CODEC_ERROR_INVALID_NEXT_POW_SCORE",
      `${path}.nextPoWScoreMilestoneIndex`,
      `nextPoWScore is ${nextPoWScore} but nextPoWScoreMilestoneIndex is 0 (TIP-8)`,
      scoreOffset,
    );
  }

  const keysPath = `${path}.publicKeys`;
  const keysOffset = r.pos;
  const keysCount = r.u8(keysPath);
  if (untrusted && keysCount < 1) {
    throw new CodecError(
      "CODEC_ERROR_PUBLIC_KEYS_COUNT",
      keysPath,
      `0 public keys, must be 1..${MAX_MILESTONE_KEYS} (TIP-8)`,
      keysOffset,
    );
  }
  r.need(keysCount * PUBLIC_KEY_LENGTH, keysPath);
  const bytes = r.bytes;
  const publicKeys = new Array<Uint8Array>(keysCount);
  for (let i = 0; i < keysCount; i++) {
    const off = r.pos;
    if (untrusted && i > 0 && compareAt(bytes, off - PUBLIC_KEY_LENGTH, off, PUBLIC_KEY_LENGTH) >= 0) {
      throw new CodecError(
        "CODEC_ERROR_PUBLIC_KEYS_NOT_SORTED",
        `${keysPath}[${i}]`,
        `public key ${i} is not greater than public key ${i - 1} (keys must be strictly ascending, TIP-8)`,
        off,
      );
    }
    publicKeys[i] = bytes.subarray(off, off + PUBLIC_KEY_LENGTH);
    r.pos = off + PUBLIC_KEY_LENGTH;
  }

  let receipt: ReceiptPayload | null = null;
  const receiptPath = `${path}.receipt`;
  const payloadLength = r.u32(receiptPath);
  if (payloadLength !== 0) {
    const frame = enterPayload(r, payloadLength, MILESTONE_PAYLOADS, "a milestone", receiptPath);
    receipt = readReceiptPayload(r, mode, receiptPath);
    exitPayload(r, frame, receiptPath);
  }

  const sigPath = `${path}.signatures`;
  const sigCountOffset = r.pos;
  const sigCount = r.u8(sigPath);
  if (untrusted && sigCount !== keysCount) {
    throw new CodecError(
      "CODEC_ERROR_SIGNATURES_COUNT",
      sigPath,
      `${sigCount} signatures for ${keysCount} public keys (there must be one signature per key, TIP-8)`,
      sigCountOffset,
    );
  }
  r.need(sigCount * SIGNATURE_LENGTH, sigPath);
  const signatures = new Array<Uint8Array>(sigCount);
  for (let i = 0; i < sigCount; i++) signatures[i] = r.bytesView(SIGNATURE_LENGTH, sigPath);

  return {
    type: PAYLOAD_TYPE_MILESTONE,
    index,
    timestamp,
    parents,
    inclusionMerkleProof,
    nextPoWScore,
    nextPoWScoreMilestoneIndex,
    publicKeys,
    receipt,
    signatures,
  };
}

/** Size of the signed essence: index through the receipt (TIP-8). */
export function sizeOfMilestoneEssence(p: MilestonePayload): number {
  return (
    4 +
    8 +
    1 +
    p.parents.length * ID_LENGTH +
    MERKLE_PROOF_LENGTH +
    4 +
    4 +
    1 +
    p.publicKeys.length * PUBLIC_KEY_LENGTH +
    4 +
    (p.receipt === null ? 0 : sizeOfReceiptPayload(p.receipt))
  );
}

export function sizeOfMilestonePayload(p: MilestonePayload): number {
  return 4 + sizeOfMilestoneEssence(p) + 1 + p.signatures.length * SIGNATURE_LENGTH;
}

function writeMilestoneEssence(w: ByteWriter, p: MilestonePayload, path: string): void {
  w.u32(p.index, path, -1, "index");
  w.u64Number(p.timestamp, path, -1, "timestamp");
  writeParents(w, p.parents, `${path}.parents`);
  w.fixed(p.inclusionMerkleProof, MERKLE_PROOF_LENGTH, path, -1, "inclusionMerkleProof");
  w.u32(p.nextPoWScore, path, -1, "nextPoWScore");
  w.u32(p.nextPoWScoreMilestoneIndex, path, -1, "nextPoWScoreMilestoneIndex");
  const keysPath = `${path}.publicKeys`;
  w.u8(p.publicKeys.length, keysPath);
  for (let i = 0; i < p.publicKeys.length; i++) w.fixed(p.publicKeys[i]!, PUBLIC_KEY_LENGTH, keysPath, i);
  if (p.receipt === null) {
    w.u32(0, path, -1, "receipt");
  } else {
    w.u32(sizeOfReceiptPayload(p.receipt), path, -1, "receipt");
    writeReceiptPayload(w, p.receipt, `${path}.receipt`);
  }
}

export function writeMilestonePayload(w: ByteWriter, p: MilestonePayload, path: string): void {
  w.u32(PAYLOAD_TYPE_MILESTONE, path, -1, "type");
  writeMilestoneEssence(w, p, path);
  const sigPath = `${path}.signatures`;
  w.u8(p.signatures.length, sigPath);
  for (let i = 0; i < p.signatures.length; i++) w.fixed(p.signatures[i]!, SIGNATURE_LENGTH, sigPath, i);
}

/** Decodes a standalone milestone payload (starting at its u32 type); no bytes may follow. */
export function decodeMilestonePayload(bytes: Uint8Array, mode: DecodeMode): MilestonePayload {
  return decodeWhole(bytes, mode, "milestone", readMilestonePayload);
}

export function encodeMilestonePayload(p: MilestonePayload): Uint8Array {
  return encodeWhole(p, sizeOfMilestonePayload(p), "milestone", writeMilestonePayload);
}

/** The signed milestone essence bytes: index through the receipt, without the type and the signatures (TIP-8). */
export function encodeMilestoneEssence(p: MilestonePayload): Uint8Array {
  return encodeWhole(p, sizeOfMilestoneEssence(p), "milestone", writeMilestoneEssence);
}

/**
 * TIP-8 makes "milestone parents == message parents" a syntactic rule, but Hornet stores a mismatching message as a
 * normal message and only refuses to treat it as a milestone (chrysalis.md §1.2 item 7, §5.3). So the codec accepts
 * it, and milestone validation asks this instead. False when the message carries no milestone.
 */
export function milestoneParentsMatch(msg: Message): boolean {
  const p = msg.payload;
  if (p === null || p.type !== PAYLOAD_TYPE_MILESTONE) return false;
  if (p.parents.length !== msg.parents.length) return false;
  for (let i = 0; i < p.parents.length; i++) {
    if (!equalBytes(p.parents[i]!, msg.parents[i]!)) return false;
  }
  return true;
}
