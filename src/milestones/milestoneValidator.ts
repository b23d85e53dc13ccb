/**
 * Decides whether a parsed message is a valid milestone (TIP-8, chrysalis.md §5.2–§5.3). A message that fails is
 * still an ordinary message; it only does not count as a milestone. So `validate` returns a verdict and never throws
 * for a bad milestone; only a bad configuration (constructor) or inconsistent arguments throw.
 */
import {
  milestoneEssenceHash,
  milestoneEssenceHashFromBytes,
  milestoneId,
  milestoneIdFromBytes,
} from "../codec/ids.js";
import { milestoneParentsMatch } from "../codec/milestone.js";
import { messagePayloadBytes } from "../codec/spans.js";
import type { Message, MilestonePayload } from "../codec/types.js";
import { ed25519Verify } from "../crypto/ed25519.js";
import { MAX_MILESTONE_KEYS, PAYLOAD_TYPE_MILESTONE } from "../params/protocol.js";
import { bytesToHex } from "../primitives/hex.js";
import { keyRangeApplies, type MilestoneKeyRange, validateKeyRanges } from "./keyRanges.js";
import { MilestoneError } from "./milestoneError.js";

/** Why a message is not a milestone, in the order the checks run (Hornet `VerifyMilestone`, iota.go `VerifySignatures`). */
export const MILESTONE_INVALID_REASONS = [
  /** The message carries no milestone payload. */
  "NOT_A_MILESTONE",
  /** The message parents differ from the milestone parents (chrysalis.md §5.3). */
  "PARENTS_MISMATCH",
  /** The milestone carries no signature. */
  "NO_SIGNATURES",
  /** The milestone has a different number of signatures and public keys. */
  "SIGNATURE_COUNT_MISMATCH",
  /** Fewer signatures than the threshold. */
  "BELOW_THRESHOLD",
  /** Fewer keys apply to this milestone index than the threshold, so no milestone at this index can be valid. */
  "TOO_FEW_APPLICABLE_KEYS",
  /** A public key appears twice in the milestone. */
  "DUPLICATE_KEY",
  /** A public key is not configured for this milestone index. */
  "KEY_NOT_APPLICABLE",
  /** A signature does not verify over the milestone essence hash (TIP-14 rules). */
  "INVALID_SIGNATURE",
] as const;

export type MilestoneInvalidReason = (typeof MILESTONE_INVALID_REASONS)[number];

export interface ValidMilestone {
  valid: true;
  index: number;
  /** BLAKE2b-256 of the whole milestone payload (TIP-8). */
  milestoneId: Uint8Array;
  /** BLAKE2b-256 of the milestone essence: what every signature signs. */
  essenceHash: Uint8Array;
  /** Unix seconds. */
  timestamp: number;
  payload: MilestonePayload;
}

export interface InvalidMilestone {
  valid: false;
  reason: MilestoneInvalidReason;
  /** A sentence for logs: which key, which count. */
  detail: string;
}

export type MilestoneVerdict = ValidMilestone | InvalidMilestone;

export interface MilestoneValidatorOptions {
  keyRanges: readonly MilestoneKeyRange[];
  /** Hornet config `protocol.milestonePublicKeyCount`: how many signatures every milestone needs (≥ 1). */
  threshold: number;
}

interface PreparedRange {
  range: MilestoneKeyRange;
  hex: string;
}

function invalid(reason: MilestoneInvalidReason, detail: string): InvalidMilestone {
  return { valid: false, reason, detail };
}

export class MilestoneValidator {
  readonly threshold: number;
  private readonly ranges: readonly PreparedRange[];

  constructor(options: MilestoneValidatorOptions) {
    const { threshold, keyRanges } = options;
    // iota.go VerifySignatures refuses threshold 0; above 255 no milestone could ever carry enough signatures.
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > MAX_MILESTONE_KEYS) {
      throw new MilestoneError(
        "MILESTONE_ERROR_INVALID_THRESHOLD",
        "threshold",
        `expected an integer in 1..${MAX_MILESTONE_KEYS}, got ${String(threshold)}`,
      );
    }
    validateKeyRanges(keyRanges);
    this.threshold = threshold;
    this.ranges = keyRanges.map((r) => ({
      range: { publicKey: r.publicKey.slice(), startIndex: r.startIndex, endIndex: r.endIndex },
      hex: bytesToHex(r.publicKey),
    }));
  }

  /** The lowercase-hex keys allowed to sign milestone `index`. */
  applicableKeys(index: number): Set<string> {
    const keys = new Set<string>();
    for (const r of this.ranges) if (keyRangeApplies(r.range, index)) keys.add(r.hex);
    return keys;
  }

  /**
   * `messageBytes`, when given, must be the encoding of `message` as received: the essence hash and the milestone id
   * are then hashed from its byte spans instead of re-encoding the payload.
   */
  validate(message: Message, messageBytes?: Uint8Array): MilestoneVerdict {
    const payload = message.payload;
    if (payload === null || payload.type !== PAYLOAD_TYPE_MILESTONE) {
      return invalid("NOT_A_MILESTONE", "the message carries no milestone payload");
    }
    // chrysalis.md §5.3: Hornet treats a message whose parents differ from the milestone's as an ordinary message.
    if (!milestoneParentsMatch(message)) {
      return invalid(
        "PARENTS_MISMATCH",
        `message has ${message.parents.length} parents, milestone ${payload.index} lists ${payload.parents.length}, and they are not the same ids in the same order`,
      );
    }

    // TIP-8 / iota.go VerifySignatures, in its order.
    const { signatures, publicKeys, index } = payload;
    if (signatures.length === 0) return invalid("NO_SIGNATURES", `milestone ${index} carries no signature`);
    if (signatures.length !== publicKeys.length) {
      return invalid(
        "SIGNATURE_COUNT_MISMATCH",
        `milestone ${index} has ${signatures.length} signatures for ${publicKeys.length} public keys`,
      );
    }
    if (signatures.length < this.threshold) {
      return invalid(
        "BELOW_THRESHOLD",
        `milestone ${index} has ${signatures.length} signatures, the threshold is ${this.threshold}`,
      );
    }
    const applicable = this.applicableKeys(index);
    if (applicable.size < this.threshold) {
      return invalid(
        "TOO_FEW_APPLICABLE_KEYS",
        `${applicable.size} keys apply to milestone index ${index}, the threshold is ${this.threshold}`,
      );
    }

    const payloadBytes = messageBytes === undefined ? null : milestonePayloadBytesOf(messageBytes);
    const essenceHash =
      payloadBytes === null ? milestoneEssenceHash(payload) : milestoneEssenceHashFromBytes(payloadBytes);
    const seen = new Map<string, number>();
    for (let i = 0; i < publicKeys.length; i++) {
      const key = publicKeys[i]!;
      const hex = bytesToHex(key);
      const first = seen.get(hex);
      if (first !== undefined) {
        return invalid("DUPLICATE_KEY", `public key ${i} (${hex}) repeats public key ${first}`);
      }
      seen.set(hex, i);
      if (!applicable.has(hex)) {
        return invalid("KEY_NOT_APPLICABLE", `public key ${i} (${hex}) is not configured for milestone index ${index}`);
      }
      if (!ed25519Verify(key, essenceHash, signatures[i]!)) {
        return invalid(
          "INVALID_SIGNATURE",
          `signature ${i} does not verify under public key ${hex} over essence hash ${bytesToHex(essenceHash)}`,
        );
      }
    }

    return {
      valid: true,
      index,
      milestoneId: payloadBytes === null ? milestoneId(payload) : milestoneIdFromBytes(payloadBytes),
      essenceHash,
      timestamp: payload.timestamp,
      payload,
    };
  }
}

function milestonePayloadBytesOf(messageBytes: Uint8Array): Uint8Array {
  const bytes = messagePayloadBytes(messageBytes);
  if (bytes === null) {
    throw new MilestoneError(
      "MILESTONE_ERROR_INVALID_PAYLOAD",
      "messageBytes",
      "the bytes carry no payload, but the message carries a milestone: they are not the same message",
    );
  }
  return bytes;
}
