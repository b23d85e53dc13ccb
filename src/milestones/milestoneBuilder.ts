/**
 * Builds signed milestone payloads and their messages (TIP-8, chrysalis.md §5.1, §5.4). Pure: signing is delegated
 * to MilestoneSigner, so a coordinator can keep its keys elsewhere. Every produced signature is verified before the
 * payload is returned, so a faulty signer cannot make us issue an invalid milestone.
 *
 * Short milestones are refused, never padded (client-compat.md §8): iota.js 1.8.6 `deserializeMilestonePayload`
 * needs at least 218 bytes from the payload type on, which 1 parent with 1 signature (191 bytes) does not reach. The
 * only ways to grow a milestone are another parent (it must be a real message, or the milestone can never become
 * solid) or another signature (it needs another applicable key), and neither can be made up here. So the caller
 * supplies ≥ 2 parents or ≥ 2 signers: a coordinator with one key issues a checkpoint message first (for the first
 * milestone of a network, one whose parent is the null message id) and references it next to the previous milestone.
 */
import { CodecError } from "../codec/codecError.js";
import { milestoneEssenceHash } from "../codec/ids.js";
import { decodeMessage, encodeMessage, sizeOfMessage } from "../codec/message.js";
import { sizeOfMilestoneEssence } from "../codec/milestone.js";
import { decodeReceiptPayload, encodeReceiptPayload } from "../codec/receipt.js";
import type { Message, MilestonePayload, ReceiptPayload } from "../codec/types.js";
import {
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SEED_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
} from "../crypto/ed25519.js";
import {
  ID_LENGTH,
  MAX_MILESTONE_KEYS,
  MAX_PARENTS,
  MESSAGE_LENGTH_MAX,
  MIN_PARENTS,
  NONCE_LENGTH,
  PAYLOAD_TYPE_MILESTONE,
  PAYLOAD_TYPE_RECEIPT,
} from "../params/protocol.js";
import { compareBytes } from "../primitives/bytes.js";
import { bytesToHex } from "../primitives/hex.js";
import { MilestoneError } from "./milestoneError.js";

/** iota.js 1.8.6 `MIN_MILESTONE_PAYLOAD_LENGTH` (client-compat.md §8): the smallest milestone payload clients read. */
export const MIN_CLIENT_MILESTONE_PAYLOAD_LENGTH = 218;

const MAX_U32 = 0xffff_ffff;
const MAX_U64 = 0xffff_ffff_ffff_ffffn;
/** Bytes of a message around its milestone payload: network id, parents count, parents, payload length, nonce. */
const messageOverhead = (parents: number): number => 8 + 1 + parents * ID_LENGTH + 4 + NONCE_LENGTH;

export interface MilestoneFields {
  /** 1..2^32-1; the first milestone of a network is 1 (chrysalis.md §5.4). */
  index: number;
  /** Unix seconds. */
  timestamp: number;
  /** 1..8 distinct message ids after removing duplicates; any order (they are sorted). */
  parents: readonly Uint8Array[];
  /** The white-flag Merkle root (TIP-4). */
  inclusionMerkleProof: Uint8Array;
  /** 0 (the default) = no change. */
  nextPoWScore?: number;
  /** 0 when nextPoWScore is 0, otherwise above `index` (TIP-8). */
  nextPoWScoreMilestoneIndex?: number;
  receipt?: ReceiptPayload | null;
}

export interface MilestoneSigner {
  readonly publicKey: Uint8Array;
  /** The 64-byte Ed25519 signature of the 32-byte milestone essence hash. */
  sign(essenceHash: Uint8Array): Uint8Array;
}

/** A signer holding a 32-byte Ed25519 private seed in memory (tests, private networks). */
export function seedSigner(seed: Uint8Array): MilestoneSigner {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_LENGTH) {
    throw new MilestoneError("MILESTONE_ERROR_INVALID_SEED", "seed", `expected ${ED25519_SEED_LENGTH} bytes`);
  }
  const own = seed.slice();
  return { publicKey: ed25519PublicKey(own), sign: (essenceHash) => ed25519Sign(own, essenceHash) };
}

function invalidField(path: string, message: string): never {
  throw new MilestoneError("MILESTONE_ERROR_INVALID_FIELD", path, message);
}

function checkU32(v: number, path: string, min = 0): void {
  if (!Number.isInteger(v) || v < min || v > MAX_U32) invalidField(path, `expected an integer in ${min}..${MAX_U32}`);
}

function checkBytes(v: Uint8Array, length: number, path: string): void {
  if (!(v instanceof Uint8Array) || v.length !== length) invalidField(path, `expected ${length} bytes`);
}

/** Deduplicated (Hornet's coordinator dedupes its tips) and sorted ascending (TIP-6). */
function sortedParents(parents: readonly Uint8Array[]): Uint8Array[] {
  const unique = new Map<string, Uint8Array>();
  for (let i = 0; i < parents.length; i++) {
    const p = parents[i]!;
    checkBytes(p, ID_LENGTH, `parents[${i}]`);
    unique.set(bytesToHex(p), p);
  }
  if (unique.size < MIN_PARENTS || unique.size > MAX_PARENTS) {
    throw new MilestoneError(
      "MILESTONE_ERROR_PARENTS_COUNT",
      "parents",
      `${unique.size} distinct parents, a milestone needs ${MIN_PARENTS}..${MAX_PARENTS} (TIP-8)`,
    );
  }
  return [...unique.values()].map((p) => p.slice()).sort(compareBytes);
}

/** Signers sorted by public key (TIP-8: keys strictly ascending, signatures[i] belongs to publicKeys[i]). */
function sortedSigners(signers: readonly MilestoneSigner[]): MilestoneSigner[] {
  if (signers.length < 1 || signers.length > MAX_MILESTONE_KEYS) {
    throw new MilestoneError(
      "MILESTONE_ERROR_SIGNERS_COUNT",
      "signers",
      `${signers.length} signers, a milestone needs 1..${MAX_MILESTONE_KEYS} (TIP-8)`,
    );
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < signers.length; i++) {
    const key = signers[i]!.publicKey;
    checkBytes(key, ED25519_PUBLIC_KEY_LENGTH, `signers[${i}].publicKey`);
    const hex = bytesToHex(key);
    const first = seen.get(hex);
    if (first !== undefined) {
      throw new MilestoneError(
        "MILESTONE_ERROR_DUPLICATE_SIGNER",
        `signers[${i}]`,
        `public key ${hex} is also signers[${first}] (TIP-8: keys must be distinct)`,
      );
    }
    seen.set(hex, i);
  }
  return [...signers].sort((a, b) => compareBytes(a.publicKey, b.publicKey));
}

function checkedReceipt(receipt: ReceiptPayload | null | undefined): ReceiptPayload | null {
  if (receipt === undefined || receipt === null) return null;
  if (receipt.type !== PAYLOAD_TYPE_RECEIPT) {
    throw new MilestoneError(
      "MILESTONE_ERROR_INVALID_RECEIPT",
      "receipt.type",
      `a milestone can only carry a receipt (type ${PAYLOAD_TYPE_RECEIPT}), got type ${String(receipt.type)}`,
    );
  }
  // The codec's untrusted decoder is where the TIP-17 syntax rules live: what it accepts, every node accepts.
  try {
    return decodeReceiptPayload(encodeReceiptPayload(receipt), "untrusted");
  } catch (e) {
    if (e instanceof CodecError) throw new MilestoneError("MILESTONE_ERROR_INVALID_RECEIPT", "receipt", e.message);
    throw e;
  }
}

function checkSize(payloadLength: number, parents: number): void {
  if (payloadLength < MIN_CLIENT_MILESTONE_PAYLOAD_LENGTH) {
    throw new MilestoneError(
      "MILESTONE_ERROR_TOO_SHORT_FOR_CLIENTS",
      "milestone",
      `the payload would be ${payloadLength} bytes and iota.js 1.8.6 reads only milestones of at least ${MIN_CLIENT_MILESTONE_PAYLOAD_LENGTH}: use at least 2 parents or 2 signers`,
    );
  }
  const messageLength = payloadLength + messageOverhead(parents);
  if (messageLength > MESSAGE_LENGTH_MAX) {
    throw new MilestoneError(
      "MILESTONE_ERROR_MESSAGE_TOO_LARGE",
      "milestone",
      `its message would be ${messageLength} bytes, the maximum is ${MESSAGE_LENGTH_MAX} (TIP-6)`,
    );
  }
}

/**
 * Builds and signs a milestone payload. Parents are deduplicated and sorted, signers sorted by public key (signatures
 * follow their keys). Throws MilestoneError for bad inputs, a milestone under 218 bytes or over the message size, and
 * for a signer whose signature does not verify; exceptions a signer throws pass through unchanged.
 */
export function buildMilestonePayload(fields: MilestoneFields, signers: readonly MilestoneSigner[]): MilestonePayload {
  checkU32(fields.index, "index", 1);
  if (!Number.isSafeInteger(fields.timestamp) || fields.timestamp < 0) {
    invalidField("timestamp", `expected Unix seconds as an integer in 0..${Number.MAX_SAFE_INTEGER}`);
  }
  checkBytes(fields.inclusionMerkleProof, ID_LENGTH, "inclusionMerkleProof");
  const nextPoWScore = fields.nextPoWScore ?? 0;
  const nextPoWScoreMilestoneIndex = fields.nextPoWScoreMilestoneIndex ?? 0;
  checkU32(nextPoWScore, "nextPoWScore");
  checkU32(nextPoWScoreMilestoneIndex, "nextPoWScoreMilestoneIndex");
  // TIP-8 (stricter than iota.go, which only refuses a score with index 0): the new score starts after this milestone.
  if (nextPoWScore === 0 ? nextPoWScoreMilestoneIndex !== 0 : nextPoWScoreMilestoneIndex <= fields.index) {
    invalidField(
      "nextPoWScoreMilestoneIndex",
      nextPoWScore === 0
        ? "must be 0 when nextPoWScore is 0 (TIP-8)"
        : `must be above the milestone index ${fields.index} when nextPoWScore is set (TIP-8)`,
    );
  }
  const parents = sortedParents(fields.parents);
  const ordered = sortedSigners(signers);
  const receipt = checkedReceipt(fields.receipt);

  const unsigned: MilestonePayload = {
    type: PAYLOAD_TYPE_MILESTONE,
    index: fields.index,
    timestamp: fields.timestamp,
    parents,
    inclusionMerkleProof: fields.inclusionMerkleProof.slice(),
    nextPoWScore,
    nextPoWScoreMilestoneIndex,
    publicKeys: ordered.map((s) => s.publicKey.slice()),
    receipt,
    signatures: [],
  };
  checkSize(4 + sizeOfMilestoneEssence(unsigned) + 1 + ordered.length * ED25519_SIGNATURE_LENGTH, parents.length);

  const essenceHash = milestoneEssenceHash(unsigned);
  const signatures = ordered.map((signer, i) => {
    const signature: unknown = signer.sign(essenceHash.slice());
    const key = unsigned.publicKeys[i]!;
    if (
      !(signature instanceof Uint8Array) ||
      signature.length !== ED25519_SIGNATURE_LENGTH ||
      !ed25519Verify(key, essenceHash, signature)
    ) {
      throw new MilestoneError(
        "MILESTONE_ERROR_SIGNER_FAILED",
        "signers",
        `the signer for public key ${bytesToHex(key)} returned no valid signature of essence hash ${bytesToHex(essenceHash)}`,
      );
    }
    return signature.slice();
  });
  return { ...unsigned, signatures };
}

export interface MilestoneMessageInput {
  networkId: bigint;
  payload: MilestonePayload;
  /** 0 (the default) for a message that still needs its PoW. */
  nonce?: bigint;
}

export interface BuiltMilestoneMessage {
  message: Message;
  bytes: Uint8Array;
}

/**
 * Wraps a milestone payload in a message whose parents are the milestone's parents (TIP-8). Checks the payload's
 * syntax (the codec's untrusted rules) and size, not its signatures: use buildMilestonePayload for those.
 */
export function buildMilestoneMessage(input: MilestoneMessageInput): BuiltMilestoneMessage {
  const { networkId, payload } = input;
  const nonce = input.nonce ?? 0n;
  if (typeof networkId !== "bigint" || networkId < 0n || networkId > MAX_U64) {
    invalidField("networkId", "expected a u64 bigint");
  }
  if (typeof nonce !== "bigint" || nonce < 0n || nonce > MAX_U64) invalidField("nonce", "expected a u64 bigint");
  if (payload?.type !== PAYLOAD_TYPE_MILESTONE) {
    throw new MilestoneError(
      "MILESTONE_ERROR_INVALID_PAYLOAD",
      "payload.type",
      `expected a milestone payload (type ${PAYLOAD_TYPE_MILESTONE})`,
    );
  }
  const message: Message = { networkId, parents: payload.parents, payload, nonce };
  let bytes: Uint8Array;
  try {
    checkSize(sizeOfMessage(message) - messageOverhead(payload.parents.length), payload.parents.length);
    bytes = encodeMessage(message);
    decodeMessage(bytes, "untrusted");
  } catch (e) {
    if (e instanceof CodecError) {
      throw new MilestoneError("MILESTONE_ERROR_INVALID_PAYLOAD", e.type.path, e.message);
    }
    throw e;
  }
  return { message, bytes };
}
